package org.sae4j.dictionary.kernels;

/**
 * Decode of ragged sparse codes (row r's codes are {@code rowStart[r] ≤ e < rowStart[r+1]}, ascending latent order,
 * as {@link BatchSelect} writes them) through nested prefixes of the dictionary, fused with the gradient of each
 * prefix's squared error while the row's decoder rows are in cache. With prefix ends {@code levelEnd[0] < … <
 * levelEnd[L−1] = dSae} (Matryoshka SAEs; BatchTopK is the case L = 1):
 * <pre>
 *   x̂⁽ᵐ⁾[r]     = bias + Σ_{e: idx[e] < levelEnd[m]} val[e] · wDec[idx[e]]    (out = x̂⁽ᴸ⁻¹⁾, the full reconstruction)
 *   rowSq[m][r] = ‖x̂⁽ᵐ⁾[r] − target[r]‖²
 *   grad[m][r]  = Σ_{m' ≥ m} scale · (x̂⁽ᵐ'⁾[r] − target[r])       d loss / d x̂⁽ᵐ⁾ summed over the prefixes it feeds
 *   codeGrad[e] = grad[level(idx[e])][r] · wDec[idx[e]]              d loss / d val[e], loss = scale/2 · Σ_m Σ‖diff‖²
 * </pre>
 * A latent in level m (levelEnd[m−1] ≤ j < levelEnd[m]) is part of prefixes m…L−1, so its activation's gradient
 * sums theirs: the suffix sum {@code grad[m]}, which is also what its decoder row's gradient reads.
 * {@link #reference} computes the same in double, densely.
 */
public final class NestedDecode {
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private NestedDecode() {
    }

    /**
     * @param grad  [levels][rows·dIn] out; grad[0] is d loss / d b_dec row by row
     * @param rowSq [levels][rows] out
     */
    public static void decodeWithGrad(int[] rowStart, int[] idx, float[] val, int rows, float[] wDec, int dIn,
                                      float[] bias, float[] target, float scale, int[] levelEnd, float[] out,
                                      float[][] grad, double[][] rowSq, float[] codeGrad) {
        Job job = JOB.get();
        job.rowStart = rowStart;
        job.idx = idx;
        job.val = val;
        job.wDec = wDec;
        job.dIn = dIn;
        job.bias = bias;
        job.target = target;
        job.scale = scale;
        job.levelEnd = levelEnd;
        job.out = out;
        job.grad = grad;
        job.rowSq = rowSq;
        job.codeGrad = codeGrad;
        Parallel.runJob(rows, 16, job);
    }

    /** One call of {@link #decodeWithGrad}: its arguments and its loop over rows. */
    private static final class Job extends Parallel.Job {
        int[] rowStart;
        int[] idx;
        float[] val;
        float[] wDec;
        int dIn;
        float[] bias;
        float[] target;
        float scale;
        int[] levelEnd;
        float[] out;
        float[][] grad;
        double[][] rowSq;
        float[] codeGrad;

        @Override
        public void run(int from, int to) {
            int levels = levelEnd.length;
            for (int r = from; r < to; r++) {
                int o = r * dIn;
                System.arraycopy(bias, 0, out, o, dIn);
                int e = rowStart[r];
                int end = rowStart[r + 1];
                for (int m = 0; m < levels; m++) {
                    int stop = e;
                    while (stop < end && idx[stop] < levelEnd[m]) {
                        stop++;
                    }
                    for (; e + 4 <= stop; e += 4) {
                        FloatOps.axpy4(val[e], idx[e] * dIn, val[e + 1], idx[e + 1] * dIn, val[e + 2],
                                idx[e + 2] * dIn, val[e + 3], idx[e + 3] * dIn, wDec, out, o, dIn);
                    }
                    for (; e < stop; e++) {
                        FloatOps.axpy(val[e], wDec, idx[e] * dIn, out, o, dIn);
                    }
                    float[] gm = grad[m];
                    double sq = 0;
                    for (int d = 0; d < dIn; d++) {
                        float diff = out[o + d] - target[o + d];
                        sq += (double) diff * diff;
                        gm[o + d] = scale * diff;
                    }
                    rowSq[m][r] = sq;
                }
                for (int m = levels - 2; m >= 0; m--) {
                    float[] gm = grad[m];
                    float[] next = grad[m + 1];
                    for (int d = 0; d < dIn; d++) {
                        gm[o + d] += next[o + d];
                    }
                }
                int m = 0;
                for (e = rowStart[r]; e < end; e++) {
                    while (idx[e] >= levelEnd[m]) {
                        m++;
                    }
                    codeGrad[e] = FloatOps.dot(wDec, idx[e] * dIn, grad[m], o, dIn);
                }
            }
        }

        @Override
        protected void clear() {
            rowStart = null;
            idx = null;
            val = null;
            wDec = null;
            bias = null;
            target = null;
            levelEnd = null;
            out = null;
            grad = null;
            rowSq = null;
            codeGrad = null;
        }
    }

    /** Dense reference for {@link #decodeWithGrad}, in double; codes in any order within a row. */
    public static void reference(int[] rowStart, int[] idx, float[] val, int rows, float[] wDec, int dIn, int dSae,
                                 float[] bias, float[] target, float scale, int[] levelEnd, float[] out,
                                 float[][] grad, double[][] rowSq, float[] codeGrad) {
        int levels = levelEnd.length;
        for (int r = 0; r < rows; r++) {
            double[] dense = new double[dSae];
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                dense[idx[e]] += val[e];
            }
            double[][] g = new double[levels][dIn];
            for (int m = 0; m < levels; m++) {
                double sq = 0;
                for (int d = 0; d < dIn; d++) {
                    double s = bias[d];
                    for (int j = 0; j < levelEnd[m]; j++) {
                        s += dense[j] * wDec[j * dIn + d];
                    }
                    if (m == levels - 1) {
                        out[r * dIn + d] = (float) s;
                    }
                    double diff = s - target[r * dIn + d];
                    sq += diff * diff;
                    for (int q = 0; q <= m; q++) {
                        g[q][d] += scale * diff; // prefix m feeds the gradient of every level q ≤ m
                    }
                }
                rowSq[m][r] = sq;
            }
            for (int m = 0; m < levels; m++) {
                for (int d = 0; d < dIn; d++) {
                    grad[m][r * dIn + d] = (float) g[m][d];
                }
            }
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                int m = 0;
                while (idx[e] >= levelEnd[m]) {
                    m++;
                }
                double s = 0;
                for (int d = 0; d < dIn; d++) {
                    s += g[m][d] * wDec[idx[e] * dIn + d];
                }
                codeGrad[e] = (float) s;
            }
        }
    }
}
