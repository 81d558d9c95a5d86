package org.sae4j.trainer;

/**
 * Tokens since each latent last fired; a latent is dead once that reaches the threshold (counted in tokens, as
 * sparsify, so the meaning does not change with the batch size).
 */
final class DeadLatents {
    private final long[] tokensSinceFired; // [dSae]
    private final boolean[] dead;          // [dSae]
    private final long threshold;

    DeadLatents(int dSae, long threshold) {
        this.tokensSinceFired = new long[dSae];
        this.dead = new boolean[dSae];
        this.threshold = threshold;
    }

    /** After a batch of {@code rows} tokens in which {@code fired[j]} says whether latent j fired at least once. */
    void update(boolean[] fired, int rows) {
        for (int j = 0; j < fired.length; j++) {
            tokensSinceFired[j] = fired[j] ? 0 : tokensSinceFired[j] + rows;
            dead[j] = tokensSinceFired[j] >= threshold;
        }
    }

    /** Flags of dead latents; a live view, do not modify. */
    boolean[] mask() {
        return dead;
    }

    double deadFraction() {
        int n = 0;
        for (boolean d : dead) {
            n += d ? 1 : 0;
        }
        return (double) n / dead.length;
    }

    /** Latents given a fresh start (resampled): counted as having just fired. */
    void revive(int[] latents) {
        for (int j : latents) {
            tokensSinceFired[j] = 0;
            dead[j] = false;
        }
    }

    long[] counters() {
        return tokensSinceFired;
    }

    void restore(long[] counters) {
        if (counters.length != tokensSinceFired.length) {
            throw new IllegalArgumentException("dead-latent counters have the wrong length");
        }
        System.arraycopy(counters, 0, tokensSinceFired, 0, counters.length);
        for (int j = 0; j < dead.length; j++) {
            dead[j] = tokensSinceFired[j] >= threshold;
        }
    }
}
