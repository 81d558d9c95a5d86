package org.sae4j.activations;

/**
 * Toy superposition data in the style of Elhage et al. 2022 ("Toy Models of Superposition") and Sharkey et al.
 * 2022 (the "interim report" on recovering known features): {@code nFeatures > dIn} random unit directions; each row
 * is a sparse non-negative combination of them, feature i firing independently with probability
 * {@code p_i ∝ (i+1)^−alpha} (a power law, scaled so {@code Σ p_i = meanActive}) with a magnitude drawn uniformly
 * from {@code [minMagnitude, maxMagnitude]}. Optional correlated groups: consecutive blocks of {@code groupSize}
 * features (the first {@code groups·groupSize}) also fire together, each member with probability ½, when their
 * group's event (probability {@code groupProbability}) happens. Optional isotropic Gaussian noise.
 */
public record SyntheticConfig(
        int dIn,
        int nFeatures,
        double meanActive,
        double alpha,
        double minMagnitude,
        double maxMagnitude,
        int groups,
        int groupSize,
        double groupProbability,
        double noiseStd,
        long seed) {

    public SyntheticConfig {
        if (dIn < 1 || nFeatures < 1) {
            throw new IllegalArgumentException("d_in and n_features must be positive");
        }
        if (!(meanActive > 0) || meanActive > nFeatures) {
            throw new IllegalArgumentException("mean_active must be in (0, n_features], got " + meanActive);
        }
        if (!(alpha >= 0)) {
            throw new IllegalArgumentException("alpha must be non-negative, got " + alpha);
        }
        if (!(minMagnitude >= 0) || !(maxMagnitude >= minMagnitude)) {
            throw new IllegalArgumentException("magnitudes must satisfy 0 <= min <= max");
        }
        if (groups < 0 || groupSize < 0 || (long) groups * groupSize > nFeatures) {
            throw new IllegalArgumentException("groups × group_size must fit in n_features");
        }
        if (!(groupProbability >= 0 && groupProbability <= 1) || !(noiseStd >= 0)) {
            throw new IllegalArgumentException("group_probability must be in [0,1] and noise_std non-negative");
        }
        double[] p = firingProbabilities(nFeatures, meanActive, alpha);
        if (p[0] > 1) {
            throw new IllegalArgumentException("mean_active " + meanActive + " with alpha " + alpha
                    + " makes the commonest feature fire with probability " + p[0] + " > 1");
        }
    }

    /**
     * The default of {@code sae4j train}: 512 features in 128 dimensions (4× superposition), ~4 active per row,
     * mildly power-law. In 64 dimensions the same features interfere so much that no linear encoder gets the
     * explained variance past ~0.87 even with the true features found (MMCS 0.99); at 128 it reaches ~0.94.
     */
    public static SyntheticConfig defaults() {
        return new SyntheticConfig(128, 512, 4.0, 0.5, 0.5, 1.5, 0, 0, 0.0, 0.0, 42);
    }

    /** p_i ∝ (i+1)^−alpha with Σ p_i = meanActive. */
    public static double[] firingProbabilities(int nFeatures, double meanActive, double alpha) {
        double[] p = new double[nFeatures];
        double sum = 0;
        for (int i = 0; i < nFeatures; i++) {
            p[i] = Math.pow(i + 1, -alpha);
            sum += p[i];
        }
        for (int i = 0; i < nFeatures; i++) {
            p[i] *= meanActive / sum;
        }
        return p;
    }
}
