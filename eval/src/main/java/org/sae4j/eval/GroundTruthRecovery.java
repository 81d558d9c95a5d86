package org.sae4j.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sae4j.dictionary.kernels.Nio;

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

    /** True features per gemm: a [BLOCK, nLearned] block of cosines stays near 64 MiB at nLearned 16384. */
    private static final int BLOCK = 1024;

    /**
     * By one {@code Nd4j.gemm} per block of true features against all learned rows (float sums; the plain double
     * loop, {@link #reference}, took over a minute at 8192 true features and 16384 latents of width 768 here).
     *
     * @param truth   [nTrue, dim] feature directions (any norm)
     * @param learned [nLearned, dim] decoder rows (any norm; zero rows never match)
     */
    public static GroundTruthRecovery of(float[] truth, int nTrue, float[] learned, int nLearned, int dim) {
        double[] best = new double[nTrue];
        Arrays.fill(best, -1);
        if (nLearned > 0 && nTrue > 0) {
            INDArray t = Nd4j.createFromArray(unitRows(truth, nTrue, dim)).reshape('c', nTrue, dim);
            INDArray l = Nd4j.createFromArray(unitRows(learned, nLearned, dim)).reshape('c', nLearned, dim);
            INDArray cosines = null; // [rows, nLearned]: made once, and again only for a short last block
            float[] c = new float[Math.min(BLOCK, nTrue) * nLearned]; // its heap copy
            for (int start = 0; start < nTrue; start += BLOCK) {
                int rows = Math.min(BLOCK, nTrue - start);
                INDArray block = t.get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all()).dup('c');
                if (cosines == null || cosines.rows() != rows) {
                    cosines = Nd4j.create(DataType.FLOAT, rows, nLearned);
                }
                Nd4j.gemm(block, l, cosines, false, true, 1.0, 0.0);
                Nio.get(cosines, c);
                for (int r = 0; r < rows; r++) {
                    float b = -1;
                    for (int j = r * nLearned; j < (r + 1) * nLearned; j++) {
                        b = Math.max(b, c[j]);
                    }
                    best[start + r] = b;
                }
            }
        }
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
