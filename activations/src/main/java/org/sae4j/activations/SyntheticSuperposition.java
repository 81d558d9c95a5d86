package org.sae4j.activations;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.sae4j.formats.Simd;

/**
 * An endless {@link ActivationSource} of {@link SyntheticConfig} rows, with its ground-truth dictionary for the
 * evaluator. Row i is generated from its own random stream seeded by (seed, i), so any position can be sought
 * without replay, rows can be made in parallel, and the stream is identical however it is batched.
 */
public final class SyntheticSuperposition implements ActivationSource {
    /** Whether rows are summed by the SIMD body ({@link VectorScaledAdd}; the same bits): {@link Simd#ENABLED}. */
    static final boolean SIMD = Simd.ENABLED;

    private final SyntheticConfig config;
    private final float[] features; // [nFeatures, dIn] unit rows: the ground truth
    private final double[] probability; // [nFeatures]
    private long position;

    public SyntheticSuperposition(SyntheticConfig config) {
        this.config = config;
        this.probability = SyntheticConfig.firingProbabilities(config.nFeatures(), config.meanActive(),
                config.alpha());
        this.features = randomUnitRows(config.nFeatures(), config.dIn(), new SplittableRandom(config.seed()));
    }

    public SyntheticConfig config() {
        return config;
    }

    /** The true feature directions, [nFeatures, dIn] row-major, unit norm (a copy). */
    public float[] groundTruth() {
        return features.clone();
    }

    /** Feature i's firing probability (its marginal, before group co-firing). */
    public double firingProbability(int i) {
        return probability[i];
    }

    @Override
    public int dIn() {
        return config.dIn();
    }

    @Override
    public void next(float[] dst, int rows) {
        long first = position;
        IntStream.range(0, rows).parallel().forEach(r -> generateRow(first + r, dst, r * config.dIn()));
        position += rows;
    }

    private void generateRow(long row, float[] dst, int offset) {
        int dIn = config.dIn();
        Arrays.fill(dst, offset, offset + dIn, 0f);
        SplittableRandom random = new SplittableRandom(mix(config.seed(), row));
        int grouped = config.groups() * config.groupSize();
        double span = config.maxMagnitude() - config.minMagnitude();
        for (int g = 0; g < config.groups(); g++) {
            boolean event = random.nextDouble() < config.groupProbability();
            for (int m = 0; m < config.groupSize(); m++) {
                int i = g * config.groupSize() + m;
                boolean fires = random.nextDouble() < probability[i] | (event & random.nextDouble() < 0.5);
                if (fires) {
                    add(dst, offset, i, config.minMagnitude() + span * random.nextDouble());
                }
            }
        }
        for (int i = grouped; i < config.nFeatures(); i++) {
            if (random.nextDouble() < probability[i]) {
                add(dst, offset, i, config.minMagnitude() + span * random.nextDouble());
            }
        }
        if (config.noiseStd() > 0) {
            for (int d = 0; d < dIn; d++) {
                dst[offset + d] += (float) (config.noiseStd() * random.nextGaussian());
            }
        }
    }

    private void add(float[] dst, int offset, int feature, double magnitude) {
        int dIn = config.dIn();
        if (SIMD) {
            VectorScaledAdd.addScaled(dst, offset, magnitude, features, feature * dIn, dIn);
        } else {
            addScaled(dst, offset, magnitude, features, feature * dIn, dIn);
        }
    }

    /**
     * {@code dst[dstFrom+i] += (float) (scale · src[srcFrom+i])} for i < n: the product in double, rounded once to
     * float, then added in float. The plain body; {@link VectorScaledAdd} gives the same bits faster.
     */
    static void addScaled(float[] dst, int dstFrom, double scale, float[] src, int srcFrom, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstFrom + i] += (float) (scale * src[srcFrom + i]);
        }
    }

    /** SplitMix64's finaliser over (seed, row): independent streams for neighbouring rows. */
    static long mix(long seed, long row) {
        long z = seed * 0x9E3779B97F4A7C15L + row + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static float[] randomUnitRows(int n, int dim, SplittableRandom random) {
        float[] rows = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int d = 0; d < dim; d++) {
                double g = random.nextGaussian();
                rows[i * dim + d] = (float) g;
                sq += g * g;
            }
            double inv = 1 / Math.sqrt(sq);
            for (int d = 0; d < dim; d++) {
                rows[i * dim + d] *= (float) inv;
            }
        }
        return rows;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position");
        }
        this.position = position;
    }

    @Override
    public void close() {
    }
}
