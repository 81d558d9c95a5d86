package org.sae4j.dictionary.kernels;

/**
 * The TopK decode, touching only the k active latents of each row: O(rows·k·dIn) instead of the dense
 * O(rows·dSae·dIn). Codes are given as {@code idx, val} of shape [rows, k] (idx −1 = unused slot). The backward is
 * {@link SparseBackward}. Each kernel has a scalar reference ({@code *Reference}) that the tests hold it equal to.
 */
public final class SparseOps {
    private static final ThreadLocal<float[]> DOTS = ThreadLocal.withInitial(() -> new float[4]);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private SparseOps() {
    }

    /** {@code out[r] = bias + Σ_t val[r,t] · wDec[idx[r,t]]}; wDec [dSae, dIn], bias [dIn] or null, out [rows, dIn]. */
    public static void decode(int[] idx, float[] val, int rows, int k, float[] wDec, int dIn, float[] bias,
                              float[] out) {
        run(false, idx, val, rows, k, wDec, dIn, bias, null, null, 0f, out, null, null, null);
    }

    private static void decodeRow(int[] idx, float[] val, int k, float[] wDec, int dIn, float[] bias, float[] out,
                                  int r) {
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

    /**
     * Decode fused with the gradient of a squared error, row by row while the row's decoder rows are still in cache:
     * <pre>
     *   out[r]        = bias + Σ_t val[r,t] · wDec[idx[r,t]]        x̂ (or AuxK's ê, without bias)
     *   diff          = out[r] + shift[r] − target[r]               shift: null = 0
     *   grad[r]       = scale · diff                                 d loss / d out, for loss = scale/2 · Σ‖diff‖²
     *   rowSq[r]      = ‖diff‖²                                      (double)
     *   codeGrad[r,t] = grad[r] · wDec[idx[r,t]]                     d loss / d val (0 at unused slots)
     * </pre>
     * {@code grad} may be {@code out} itself (then out ends holding the gradient). The dot products read the k
     * decoder rows that the decode just pulled into L2, instead of gathering them again in the backward.
     * {@code codeGrad} may be null: no dot products here, and the backward forms them from the gradient rows it
     * gathers anyway ({@link SparseBackward.Codes#codeGradDue}); TopK training does that.
     */
    public static void decodeWithGrad(int[] idx, float[] val, int rows, int k, float[] wDec, int dIn, float[] bias,
                                      float[] shift, float[] target, float scale, float[] out, float[] grad,
                                      double[] rowSq, float[] codeGrad) {
        run(true, idx, val, rows, k, wDec, dIn, bias, shift, target, scale, out, grad, rowSq, codeGrad);
    }

    private static void run(boolean withGrad, int[] idx, float[] val, int rows, int k, float[] wDec, int dIn,
                            float[] bias, float[] shift, float[] target, float scale, float[] out, float[] grad,
                            double[] rowSq, float[] codeGrad) {
        Job job = JOB.get();
        job.withGrad = withGrad;
        job.idx = idx;
        job.val = val;
        job.k = k;
        job.wDec = wDec;
        job.dIn = dIn;
        job.bias = bias;
        job.shift = shift;
        job.target = target;
        job.scale = scale;
        job.out = out;
        job.grad = grad;
        job.rowSq = rowSq;
        job.codeGrad = codeGrad;
        Parallel.runJob(rows, 16, job);
    }

    /** One call of {@link #run}: its arguments and its loop over rows. */
    private static final class Job extends Parallel.Job {
        boolean withGrad; // decodeWithGrad, else decode
        int[] idx;
        float[] val;
        int k;
        float[] wDec;
        int dIn;
        float[] bias;
        float[] shift;
        float[] target;
        float scale;
        float[] out;
        float[] grad;
        double[] rowSq;
        float[] codeGrad;

        @Override
        public void run(int from, int to) {
            float[] dots = withGrad ? DOTS.get() : null; // this worker's, looked up once per chunk
            for (int r = from; r < to; r++) {
                decodeRow(idx, val, k, wDec, dIn, bias, out, r);
                if (withGrad) {
                    gradRow(r, dots);
                }
            }
        }

        private void gradRow(int r, float[] dots) {
            int o = r * dIn;
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                float diff = out[o + d] + (shift == null ? 0f : shift[o + d]) - target[o + d];
                sq += (double) diff * diff;
                grad[o + d] = scale * diff;
            }
            rowSq[r] = sq;
            if (codeGrad == null) {
                return;
            }
            int t = 0;
            for (; t + 4 <= k; t += 4) {
                int c = r * k + t;
                FloatOps.dot4(wDec, row(idx, val, c, dIn), row(idx, val, c + 1, dIn), row(idx, val, c + 2, dIn),
                        row(idx, val, c + 3, dIn), grad, o, dIn, dots);
                for (int q = 0; q < 4; q++) {
                    codeGrad[c + q] = idx[c + q] >= 0 ? dots[q] : 0f;
                }
            }
            for (; t < k; t++) {
                int c = r * k + t;
                codeGrad[c] = idx[c] >= 0 ? FloatOps.dot(wDec, idx[c] * dIn, grad, o, dIn) : 0f;
            }
        }

        @Override
        protected void clear() {
            idx = null;
            val = null;
            wDec = null;
            bias = null;
            shift = null;
            target = null;
            out = null;
            grad = null;
            rowSq = null;
            codeGrad = null;
        }
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

    /** Plain reference for {@link #decodeWithGrad}, in double (grad must not be out here). */
    public static void decodeWithGradReference(int[] idx, float[] val, int rows, int k, float[] wDec, int dIn,
                                               int dSae, float[] bias, float[] shift, float[] target, float scale,
                                               float[] out, float[] grad, double[] rowSq, float[] codeGrad) {
        decodeReference(idx, val, rows, k, wDec, dIn, dSae, bias, out);
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                int i = r * dIn + d;
                double diff = (double) out[i] + (shift == null ? 0 : shift[i]) - target[i];
                sq += diff * diff;
                grad[i] = (float) (scale * diff);
            }
            rowSq[r] = sq;
            for (int t = 0; t < k; t++) {
                int j = idx[r * k + t];
                double s = 0;
                for (int d = 0; j >= 0 && d < dIn; d++) {
                    s += (double) grad[r * dIn + d] * wDec[j * dIn + d];
                }
                codeGrad[r * k + t] = (float) s;
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
