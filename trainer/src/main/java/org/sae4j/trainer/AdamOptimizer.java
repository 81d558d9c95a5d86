package org.sae4j.trainer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * ND4J's Adam updater over the SAE's flat parameter vector (the project uses ND4J's updaters rather than its own).
 * Its moments live in one state array (m, then v) so a checkpoint saves and restores them exactly; the learning
 * rate comes from {@link Schedules} through ND4J's schedule hook, keyed by step.
 */
public final class AdamOptimizer {
    private final INDArray state; // [1, 2 · nParams]: ND4J's m and v
    private final GradientUpdater<Adam> updater;

    public AdamOptimizer(TrainConfig config, long nParams) {
        Adam adam = Adam.builder()
                .learningRateSchedule(new StepSchedule(config))
                .beta1(config.adamBeta1())
                .beta2(config.adamBeta2())
                .epsilon(config.adamEpsilon())
                .build();
        this.state = Nd4j.create(DataType.FLOAT, 1, adam.stateSize(nParams));
        @SuppressWarnings("unchecked")
        GradientUpdater<Adam> u = (GradientUpdater<Adam>) adam.instantiate(state, true);
        this.updater = u;
    }

    /** params −= Adam(gradient) at 0-based {@code step}; the gradient array is overwritten with the update. */
    public void step(INDArray params, INDArray gradient, long step) {
        updater.applyUpdater(gradient, Math.toIntExact(step), 0);
        params.subi(gradient);
    }

    public INDArray state() {
        return state;
    }

    /** ND4J's schedule hook over our pure learning-rate function. */
    private record StepSchedule(TrainConfig config) implements ISchedule {
        @Override
        public double valueAt(int iteration, int epoch) {
            return Schedules.learningRate(config, iteration);
        }

        @Override
        public ISchedule clone() {
            return new StepSchedule(config);
        }
    }
}
