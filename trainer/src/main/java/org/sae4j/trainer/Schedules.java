package org.sae4j.trainer;

/** What changes during training, as pure functions of the step (0-based), so a resumed run recomputes them. */
public final class Schedules {
    private Schedules() {
    }

    /** Linear warm-up over {@code lrWarmupSteps}, constant, then linear decay to 0 over the last fraction. */
    public static double learningRate(TrainConfig c, long step) {
        long total = c.totalSteps();
        double lr = c.lr();
        if (step < c.lrWarmupSteps()) {
            lr *= (step + 1.0) / c.lrWarmupSteps();
        }
        long decaySteps = (long) Math.floor(c.lrDecayFraction() * total);
        long decayStart = total - decaySteps;
        if (decaySteps > 0 && step >= decayStart) {
            lr *= (double) (total - step) / decaySteps;
        }
        return lr;
    }

    /** λ ramps from 0 to {@code l1Coefficient} over {@code l1WarmupSteps} (SAELens). */
    public static double l1Coefficient(TrainConfig c, long step) {
        if (step < c.l1WarmupSteps()) {
            return c.l1Coefficient() * (step + 1.0) / c.l1WarmupSteps();
        }
        return c.l1Coefficient();
    }

    /** JumpReLU's λ ramps from 0 to {@code l0Coefficient} over {@code l0WarmupSteps} (SAELens). */
    public static double l0Coefficient(TrainConfig c, long step) {
        if (step < c.l0WarmupSteps()) {
            return c.l0Coefficient() * (step + 1.0) / c.l0WarmupSteps();
        }
        return c.l0Coefficient();
    }
}
