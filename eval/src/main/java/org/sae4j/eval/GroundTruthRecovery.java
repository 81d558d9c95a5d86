package org.sae4j.eval;

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
     * @param truth   [nTrue, dim] feature directions (any norm)
     * @param learned [nLearned, dim] decoder rows (any norm; zero rows never match)
     */
    public static GroundTruthRecovery of(float[] truth, int nTrue, float[] learned, int nLearned, int dim) {
        float[] t = unitRows(truth, nTrue, dim);
        float[] l = unitRows(learned, nLearned, dim);
        double[] best = new double[nTrue];
        java.util.stream.IntStream.range(0, nTrue).parallel().forEach(i -> {
            double b = -1;
            for (int j = 0; j < nLearned; j++) {
                double c = 0;
                for (int d = 0; d < dim; d++) {
                    c += t[i * dim + d] * l[j * dim + d];
                }
                b = Math.max(b, c);
            }
            best[i] = b;
        });
        double sum = 0;
        int matched = 0;
        for (double b : best) {
            sum += b;
            matched += b > MATCH_THRESHOLD ? 1 : 0;
        }
        return new GroundTruthRecovery(sum / nTrue, (double) matched / nTrue, best);
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
