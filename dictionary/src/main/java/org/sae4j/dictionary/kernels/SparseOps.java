package org.sae4j.dictionary.kernels;

/**
 * The TopK decode, touching only the k active latents of each row: O(rows·k·dIn) instead of the dense
 * O(rows·dSae·dIn). Codes are given as {@code idx, val} of shape [rows, k] (idx −1 = unused slot). The backward is
 * {@link SparseBackward}. Each kernel has a scalar reference ({@code *Reference}) that the tests hold it equal to.
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
                int t = 0;
                for (; t + 4 <= k; t += 4) {
                    // Four rows per pass over out (see FloatOps.axpy4); an unused slot adds 0 · W_dec[0].
                    int c = r * k + t;
                    FloatOps.axpy4(weight(idx, val, c), row(idx, val, c, dIn),
                            weight(idx, val, c + 1), row(idx, val, c + 1, dIn),
                            weight(idx, val, c + 2), row(idx, val, c + 2, dIn),
                            weight(idx, val, c + 3), row(idx, val, c + 3, dIn), wDec, out, o, dIn);
                }
                for (; t < k; t++) {
                    int c = r * k + t;
                    if (idx[c] >= 0 && val[c] != 0f) {
                        FloatOps.axpy(val[c], wDec, idx[c] * dIn, out, o, dIn);
                    }
                }
            }
        });
    }

    private static float weight(int[] idx, float[] val, int c) {
        return idx[c] >= 0 ? val[c] : 0f;
    }

    private static int row(int[] idx, float[] val, int c, int dIn) {
        return idx[c] >= 0 ? idx[c] * dIn : 0;
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
