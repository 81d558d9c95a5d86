package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
