package org.sae4j.dictionary.kernels;

/**
 * The products of a TopK SAE that touch only the k active latents of each row, so they cost O(rows·k·dIn) instead
 * of the dense O(rows·dSae·dIn). Codes are given as {@code idx, val} of shape [rows, k] (idx −1 = unused slot).
 * Each kernel has a scalar reference ({@code *Reference}) that the tests hold it equal to.
 */
public final class SparseOps {
    private SparseOps() {
    }

    /** {@code out[r] = bias + Σ_t val[r,t] · wDec[idx[r,t]]}; wDec [dSae, dIn], bias [dIn] or null, out [rows, dIn]. */
    public static void decode(int[] idx, float[] val, int rows, int k, float[] wDec, int dIn, float[] bias,
                              float[] out) {
        Parallel.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * dIn;
                if (bias != null) {
                    System.arraycopy(bias, 0, out, o, dIn);
                } else {
                    java.util.Arrays.fill(out, o, o + dIn, 0f);
                }
                for (int t = 0; t < k; t++) {
                    int j = idx[r * k + t];
                    float a = val[r * k + t];
                    if (j < 0 || a == 0f) {
                        continue;
                    }
                    int w = j * dIn;
                    for (int d = 0; d < dIn; d++) {
                        out[o + d] += a * wDec[w + d];
                    }
                }
            }
        });
    }

    /** {@code out[r,t] = dot(g[r], wDec[idx[r,t]])}: the gradient reaching each active latent; g [rows, dIn]. */
    public static void latentGrad(int[] idx, int rows, int k, float[] g, float[] wDec, int dIn, float[] out) {
        Parallel.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * dIn;
                for (int t = 0; t < k; t++) {
                    int j = idx[r * k + t];
                    if (j < 0) {
                        out[r * k + t] = 0f;
                        continue;
                    }
                    int w = j * dIn;
                    float s = 0f;
                    for (int d = 0; d < dIn; d++) {
                        s += g[o + d] * wDec[w + d];
                    }
                    out[r * k + t] = s;
                }
            }
        });
    }

    /**
     * {@code gradWDec[j] += Σ_{(r,t): idx[r,t]=j} val[r,t] · g[r]}. Threads own disjoint latent ranges, so no two
     * write the same row, and each row's sum runs in row order: deterministic.
     */
    public static void accumulateDecoderGrad(int[] idx, float[] val, int rows, int k, float[] g, int dIn, int dSae,
                                             float[] gradWDec) {
        Parallel.forRange(dSae, (lo, hi) -> {
            for (int r = 0; r < rows; r++) {
                int o = r * dIn;
                for (int t = 0; t < k; t++) {
                    int j = idx[r * k + t];
                    float a = val[r * k + t];
                    if (j < lo || j >= hi || a == 0f) {
                        continue;
                    }
                    int w = j * dIn;
                    for (int d = 0; d < dIn; d++) {
                        gradWDec[w + d] += a * g[o + d];
                    }
                }
            }
        });
    }

    /** Dense reference for {@link #decode}: expands the codes to [rows, dSae] and multiplies. */
    public static void decodeReference(int[] idx, float[] val, int rows, int k, float[] wDec, int dIn, int dSae,
                                       float[] bias, float[] out) {
        float[] dense = densify(idx, val, rows, k, dSae);
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dIn; d++) {
                double s = bias == null ? 0 : bias[d];
                for (int j = 0; j < dSae; j++) {
                    s += (double) dense[r * dSae + j] * wDec[j * dIn + d];
                }
                out[r * dIn + d] = (float) s;
            }
        }
    }

    /** Dense reference for {@link #latentGrad}. */
    public static void latentGradReference(int[] idx, int rows, int k, float[] g, float[] wDec, int dIn, float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < k; t++) {
                int j = idx[r * k + t];
                double s = 0;
                for (int d = 0; j >= 0 && d < dIn; d++) {
                    s += (double) g[r * dIn + d] * wDec[j * dIn + d];
                }
                out[r * k + t] = (float) s;
            }
        }
    }

    /** Dense reference for {@link #accumulateDecoderGrad}: {@code gradWDec += denseCodesᵀ · g}. */
    public static void accumulateDecoderGradReference(int[] idx, float[] val, int rows, int k, float[] g, int dIn,
                                                      int dSae, float[] gradWDec) {
        float[] dense = densify(idx, val, rows, k, dSae);
        for (int j = 0; j < dSae; j++) {
            for (int d = 0; d < dIn; d++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += (double) dense[r * dSae + j] * g[r * dIn + d];
                }
                gradWDec[j * dIn + d] += (float) s;
            }
        }
    }

    /** [rows, dSae] dense form of sparse codes; repeated indices add. */
    public static float[] densify(int[] idx, float[] val, int rows, int k, int dSae) {
        float[] dense = new float[rows * dSae];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < k; t++) {
                int j = idx[r * k + t];
                if (j >= 0) {
                    dense[r * dSae + j] += val[r * k + t];
                }
            }
        }
        return dense;
    }
}
