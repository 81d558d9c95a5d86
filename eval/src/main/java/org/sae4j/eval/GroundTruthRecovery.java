package org.sae4j.eval;

import java.util.Arrays;

/**
 * How well an SAE's decoder rows recover known feature directions (Sharkey et al. 2022): for each true feature, the
 * largest cosine similarity to any learned decoder row; MMCS is their mean, and a feature counts as recovered when
 * its best match exceeds {@link #MATCH_THRESHOLD}.
 *
 * @param mmcs             mean over true features of the max cosine similarity
 * @param fractionMatched  fraction of true features whose best match is above the threshold
 * @param bestCosine       per true feature, its best cosine similarity
 */
public record GroundTruthRecovery(double mmcs, double fractionMatched, double[] bestCosine) {
    public static final double MATCH_THRESHOLD = 0.9;

    /**
     * All pairs' cosines by {@link CosineBlocks} (float sums; the plain double loop, {@link #reference}, took over a
     * minute at 8192 true features and 16384 latents of width 768 here).
     *
     * @param truth   [nTrue, dim] feature directions (any norm)
     * @param learned [nLearned, dim] decoder rows (any norm; zero rows never match)
     */
    public static GroundTruthRecovery of(float[] truth, int nTrue, float[] learned, int nLearned, int dim) {
        double[] best = new double[nTrue];
        Arrays.fill(best, -1);
        CosineBlocks.forEach(unitRows(truth, nTrue, dim), nTrue, unitRows(learned, nLearned, dim), nLearned, dim,
                (start, rows, cosines) -> {
                    for (int r = 0; r < rows; r++) {
                        float b = -1;
                        for (int j = r * nLearned; j < (r + 1) * nLearned; j++) {
                            b = Math.max(b, cosines[j]);
                        }
                        best[start + r] = b;
                    }
                });
        return summarize(best);
    }

    /** The plain reference: every pair's cosine summed in double, one pair at a time. For tests. */
    static GroundTruthRecovery reference(float[] truth, int nTrue, float[] learned, int nLearned, int dim) {
        float[] t = unitRows(truth, nTrue, dim);
        float[] l = unitRows(learned, nLearned, dim);
        double[] best = new double[nTrue];
        for (int i = 0; i < nTrue; i++) {
            double b = -1;
            for (int j = 0; j < nLearned; j++) {
                double c = 0;
                for (int d = 0; d < dim; d++) {
                    c += (double) t[i * dim + d] * l[j * dim + d];
                }
                b = Math.max(b, c);
            }
            best[i] = b;
        }
        return summarize(best);
    }

    private static GroundTruthRecovery summarize(double[] best) {
        double sum = 0;
        int matched = 0;
        for (double b : best) {
            sum += b;
            matched += b > MATCH_THRESHOLD ? 1 : 0;
        }
        return new GroundTruthRecovery(sum / best.length, (double) matched / best.length, best);
    }

    /** [n, dim] rows scaled to unit norm; a zero row stays zero (cosine 0 to everything). */
    public static float[] unitRows(float[] rows, int n, int dim) {
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int d = 0; d < dim; d++) {
                sq += (double) rows[i * dim + d] * rows[i * dim + d];
            }
            double inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
            for (int d = 0; d < dim; d++) {
                out[i * dim + d] = (float) (rows[i * dim + d] * inv);
            }
        }
        return out;
    }
}
