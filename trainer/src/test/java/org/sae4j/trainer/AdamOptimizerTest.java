package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * {@link AdamOptimizer} against its reference, ND4J's own {@code AdamUpdater} configured with the same betas,
 * epsilon and learning-rate schedule: parameters and moments must match bit for bit, step after step, through the
 * warm-up and the decay, and when the caller passes other arrays.
 */
class AdamOptimizerTest {
    private static final int N_PARAMS = 1_003; // odd, so no SIMD width divides it

    @Test
    void matchesNd4jsAdamUpdaterBitForBitOverAWholeSchedule() {
        TrainConfig config = TrainConfig.defaults();
        long total = config.totalSteps();
        AdamOptimizer adam = new AdamOptimizer(config, N_PARAMS);
        Reference reference = new Reference(config);
        INDArray params = randomRow(1, 1f);
        INDArray referenceParams = params.dup();
        INDArray gradient = Nd4j.create(DataType.FLOAT, 1, N_PARAMS);
        SplittableRandom random = new SplittableRandom(2);
        // The first steps (warm-up), some in the middle, and the last (decay to zero).
        long[] steps = {0, 1, 2, 3, total / 2, total / 2 + 1, total - 2, total - 1};
        for (long step : steps) {
            INDArray g = randomRow(random.nextLong(), 0.1f);
            gradient.assign(g);
            adam.step(params, gradient, step);
            reference.step(referenceParams, g, step);
            assertArrayEquals(referenceParams.toFloatVector(), params.toFloatVector(), 0f,
                    "parameters after step " + step);
            assertArrayEquals(reference.state.toFloatVector(), adam.state().toFloatVector(), 0f,
                    "moments (m, then v) after step " + step);
        }
    }

    @Test
    void otherArraysPassedLaterAreTheOnesUpdated() {
        TrainConfig config = TrainConfig.defaults();
        AdamOptimizer adam = new AdamOptimizer(config, N_PARAMS);
        Reference reference = new Reference(config);
        INDArray first = randomRow(3, 1f);
        INDArray second = randomRow(4, 1f);
        INDArray referenceParams = first.dup();
        for (long step = 0; step < 4; step++) {
            INDArray params = step < 2 ? first : second;
            if (step == 2) {
                referenceParams.assign(second);
            }
            INDArray g = randomRow(10 + step, 0.1f);
            adam.step(params, g.dup(), step); // a fresh gradient array every step
            reference.step(referenceParams, g, step);
            assertArrayEquals(referenceParams.toFloatVector(), params.toFloatVector(), 0f,
                    "parameters after step " + step);
        }
    }

    @Test
    void aStepAllocatesNothingOnTheHeap() {
        AdamOptimizer adam = new AdamOptimizer(TrainConfig.defaults(), N_PARAMS);
        INDArray params = randomRow(5, 1f);
        INDArray gradient = randomRow(6, 1e-3f);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (long step = 0; step < 2_000; step++) {
            adam.step(params, gradient, step); // binds the arrays and links the native calls
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int steps = 10_000;
        for (long step = 2_000; step < 2_000 + steps; step++) {
            adam.step(params, gradient, step);
        }
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        // Through Nd4j.exec the same steps allocate ~2 KB each.
        assertTrue(bytes < steps, bytes + " bytes over " + steps + " steps");
    }

    @Test
    void aFailingOpIsAnErrorNamingIt() {
        KeptOp sub = new KeptOp(new SubOp(), 0, 0);
        INDArray a = Nd4j.create(DataType.FLOAT, 1, 5);
        sub.bind(new INDArray[] {a, Nd4j.create(DataType.FLOAT, 1, 7)}, new INDArray[] {a});
        IllegalStateException e = assertThrows(IllegalStateException.class, sub::run);
        assertTrue(e.getMessage().startsWith("ND4J op subtract failed"), e.getMessage());
        // The failure is consumed: the op runs again once its arrays fit.
        INDArray b = Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f).reshape(1, 5);
        a.assign(10f);
        sub.bind(new INDArray[] {a, b}, new INDArray[] {a});
        sub.run();
        assertArrayEquals(new float[] {9f, 8f, 7f, 6f, 5f}, a.toFloatVector(), 0f);
    }

    private static INDArray randomRow(long seed, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[N_PARAMS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return Nd4j.createFromArray(values).reshape(1, N_PARAMS);
    }

    /** ND4J's updater as its documentation has it used: applyUpdater, then params −= the update. */
    private static final class Reference {
        final INDArray state = Nd4j.create(DataType.FLOAT, 1, 2L * N_PARAMS);
        final GradientUpdater<?> updater;

        Reference(TrainConfig config) {
            Adam adam = Adam.builder()
                    .learningRateSchedule(new LearningRate(config))
                    .beta1(config.adamBeta1())
                    .beta2(config.adamBeta2())
                    .epsilon(config.adamEpsilon())
                    .build();
            updater = adam.instantiate(state, true);
        }

        void step(INDArray params, INDArray gradient, long step) {
            INDArray update = gradient.dup();
            updater.applyUpdater(update, Math.toIntExact(step), 0);
            params.subi(update);
        }
    }

    private record LearningRate(TrainConfig config) implements ISchedule {
        @Override
        public double valueAt(int iteration, int epoch) {
            return Schedules.learningRate(config, iteration);
        }

        @Override
        public ISchedule clone() {
            return this;
        }
    }
}
