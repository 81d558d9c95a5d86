package org.sae4j.dictionary;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.SparseOps;
import org.sae4j.dictionary.kernels.TopK;

/**
 * Forward and backward buffers of one SAE for batches of exactly {@code rows} rows, allocated once: a training step
 * allocates no batch-sized array. Dense products go through {@code Nd4j.gemm} into preallocated outputs (measured
 * ~4× faster than {@code INDArray.mmul} here); for TopK, decode and the decoder-side backward touch only the k active
 * latents per row ({@link SparseOps}).
 *
 * <p>Use: fill {@link #input()}, call {@link #forward()}, read {@link #reconstruction()} and the codes; for training
 * call {@link #backward} next, which writes the gradient of the loss into a {@link SaeParams} of the same layout.
 */
public final class SaeWorkspace {
    private final Sae sae;
    private final int rows;
    private final int dIn;
    private final int dSae;
    private final int k; // TopK: k; standard: 0 (the two architectures so far; a new one adds its branch here)

    private final float[] x;      // [rows, dIn] input, filled by the caller
    private final float[] xHat;   // [rows, dIn] reconstruction
    private final float[] xc;     // [rows, dIn] encoder input x − b_dec
    private final float[] bDec;   // [dIn]
    private final float[] pre;    // [rows, dSae] pre-activations; standard: relu'd in place into the codes f
    private final INDArray xcNd;  // [rows, dIn]
    private final INDArray preNd; // [rows, dSae] pre-activations, then (standard) f, then d loss / d pre
    private final INDArray rowsByDIn; // [rows, dIn] standard: x̂ out of the decoder gemm, then d loss / d x̂

    // TopK codes: the k chosen latents of each row and their (relu'd) activations.
    private final int[] idx;      // [rows, k]
    private final float[] val;    // [rows, k]
    private final float[] wDec;   // [dSae, dIn] heap copy of W_dec for the Java kernels, refreshed per forward

    // Backward scratch, kept across steps.
    private final float[] g;        // [rows, dIn] d loss / d x̂
    private final float[] gradBDec; // [dIn]
    private final float[] gradBEnc; // [dSae]
    private final float[] gradWDec; // [dSae, dIn]
    private final float[] dVal;     // [rows, k] TopK: d loss / d (active activation)
    private final float[] eHat;     // [rows, dIn] TopK: AuxK reconstruction of the residual, then its gradient
    private final int[] deadList;   // [dSae] TopK: indices of dead latents
    private final float[] df;       // [rows, dSae] standard: d loss / d f, then d loss / d pre
    private final float[] fSum;     // [dSae] standard
    private final float[] rowScale; // [dSae] standard
    private final INDArray bDecViaEncoder; // [dIn, 1]

    public SaeWorkspace(Sae sae, int rows) {
        this.sae = sae;
        this.rows = rows;
        this.dIn = sae.config().dIn();
        this.dSae = sae.config().dSae();
        this.k = sae.config().architecture() instanceof Architecture.TopK topK ? topK.k() : 0;
        this.x = new float[rows * dIn];
        this.xHat = new float[rows * dIn];
        this.xc = new float[rows * dIn];
        this.bDec = new float[dIn];
        this.pre = new float[Math.multiplyExact(rows, dSae)];
        this.xcNd = Nd4j.create(DataType.FLOAT, rows, dIn);
        this.preNd = Nd4j.create(DataType.FLOAT, rows, dSae);
        this.rowsByDIn = Nd4j.create(DataType.FLOAT, rows, dIn);
        this.idx = new int[rows * k];
        this.val = new float[rows * k];
        this.wDec = new float[dSae * dIn];
        this.g = new float[rows * dIn];
        this.gradBDec = new float[dIn];
        this.gradBEnc = new float[dSae];
        boolean topK = k > 0;
        this.gradWDec = new float[dSae * dIn];
        this.dVal = new float[rows * k];
        this.eHat = topK ? new float[rows * dIn] : null;
        this.deadList = topK ? new int[dSae] : null;
        this.df = topK ? null : new float[pre.length];
        this.fSum = topK ? null : new float[dSae];
        this.rowScale = topK ? null : new float[dSae];
        this.bDecViaEncoder = Nd4j.create(DataType.FLOAT, dIn, 1);
    }

    public Sae sae() {
        return sae;
    }

    public int rows() {
        return rows;
    }

    /** [rows, dIn] the batch to encode; write into it before {@link #forward()}. */
    public float[] input() {
        return x;
    }

    /** [rows, dIn] x̂ after {@link #forward()}. */
    public float[] reconstruction() {
        return xHat;
    }

    /** Encodes and decodes the input with the SAE's current parameters. */
    public void forward() {
        SaeParams p = sae.params();
        Nio.get(p.bDec(), bDec);
        boolean centre = sae.config().applyBDecToInput();
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dIn; d++) {
                xc[r * dIn + d] = centre ? x[r * dIn + d] - bDec[d] : x[r * dIn + d];
            }
        }
        Nio.put(xcNd, xc);
        Nd4j.gemm(xcNd, p.wEnc(), preNd, false, false, 1.0, 0.0); // [rows, dSae]
        preNd.addiRowVector(p.bEnc());
        Nio.get(preNd, pre);
        if (k > 0) {
            forwardTopK(p);
        } else {
            forwardStandard(p);
        }
    }

    private void forwardTopK(SaeParams p) {
        TopK.select(pre, rows, dSae, null, 0, k, idx, val);
        for (int i = 0; i < val.length; i++) {
            val[i] = Math.max(val[i], 0f); // SAELens topk: ReLU after selection
        }
        Nio.get(p.wDec(), wDec);
        SparseOps.decode(idx, val, rows, k, wDec, dIn, bDec, xHat);
    }

    private void forwardStandard(SaeParams p) {
        for (int i = 0; i < pre.length; i++) {
            pre[i] = Math.max(pre[i], 0f); // pre now holds f
        }
        Nio.put(preNd, pre);
        Nd4j.gemm(preNd, p.wDec(), rowsByDIn, false, false, 1.0, 0.0); // [rows, dIn]
        rowsByDIn.addiRowVector(p.bDec());
        Nio.get(rowsByDIn, xHat);
    }

    /**
     * Gradient of the training loss at the last forward: reconstruction {@code mean_n ‖x̂_n − x_n‖²} plus the
     * architecture's sparsity term (standard: decoder-norm-weighted L1; TopK: AuxK over the latents flagged in
     * {@code dead}, which may be null). Overwrites {@code grad}. Returns the loss by term.
     */
    public TrainingLoss.Parts backward(TrainingLoss loss, boolean[] dead, SaeParams grad) {
        // g = d loss / d x̂ = 2 (x̂ − x) / rows                                     [rows, dIn]
        double mse = 0;
        float scale = 2f / rows;
        for (int i = 0; i < g.length; i++) {
            float r = xHat[i] - x[i];
            mse += (double) r * r;
            g[i] = scale * r;
        }
        mse /= rows;
        Arrays.fill(gradBDec, 0f);
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dIn; d++) {
                gradBDec[d] += g[r * dIn + d];
            }
        }
        Arrays.fill(gradBEnc, 0f);
        TrainingLoss.Parts parts = k > 0 ? backwardTopK(loss, dead, grad, mse) : backwardStandard(loss, grad, mse);
        Nio.put(grad.bEnc(), gradBEnc);
        Nio.put(grad.bDec(), gradBDec);
        if (sae.config().applyBDecToInput()) {
            // The encoder's input is x − b_dec, so b_dec also receives −W_enc · Σ_n d loss / d pre_n.
            Nd4j.gemm(sae.params().wEnc(), grad.bEnc(), bDecViaEncoder, false, true, 1.0, 0.0); // [dIn, 1]
            grad.bDec().subi(bDecViaEncoder.reshape(1, dIn));
        }
        return parts;
    }

    private TrainingLoss.Parts backwardTopK(TrainingLoss loss, boolean[] dead, SaeParams grad, double mse) {
        Arrays.fill(gradWDec, 0f);
        SparseOps.accumulateDecoderGrad(idx, val, rows, k, g, dIn, dSae, gradWDec);
        SparseOps.latentGrad(idx, rows, k, g, wDec, dIn, dVal);
        // d loss / d pre, dense, for the encoder gemm. pre is no longer needed after the AuxK selection below.
        double auxLoss = auxK(loss, dead);
        Arrays.fill(pre, 0f);
        scatterActive(idx, val, dVal, k);
        if (auxLoss > 0) {
            scatterActive(auxIdx, auxVal, auxDVal, auxKUsed);
        }
        Nio.put(preNd, pre);
        Nd4j.gemm(xcNd, preNd, grad.wEnc(), true, false, 1.0, 0.0); // [dIn, dSae]
        Nio.put(grad.wDec(), gradWDec);
        return new TrainingLoss.Parts(mse, 0, auxLoss);
    }

    // AuxK scratch, sized on first use (the number of dead latents varies).
    private int[] auxIdx = new int[0];
    private float[] auxVal = new float[0];
    private float[] auxDVal = new float[0];
    private int auxKUsed;

    /**
     * AuxK (Gao et al. 2024 §A.2, as SAELens): the kAux largest pre-activations among dead latents reconstruct the
     * main residual {@code e = x − x̂} through W_dec (no bias); loss {@code α · min(nDead/kAux, 1) · mean_n ‖ê_n − e_n‖²}.
     * Adds its W_dec gradient into {@code gradWDec} and leaves the latent gradients in {@code auxDVal}.
     */
    private double auxK(TrainingLoss loss, boolean[] dead) {
        if (dead == null || loss.auxKCoefficient() == 0 || loss.kAux() == 0) {
            return 0;
        }
        int nDead = 0;
        for (int j = 0; j < dSae; j++) {
            if (dead[j]) {
                deadList[nDead++] = j;
            }
        }
        if (nDead == 0) {
            return 0;
        }
        auxKUsed = Math.min(loss.kAux(), nDead);
        if (auxIdx.length < rows * auxKUsed) {
            auxIdx = new int[rows * auxKUsed];
            auxVal = new float[rows * auxKUsed];
            auxDVal = new float[rows * auxKUsed];
        }
        TopK.select(pre, rows, dSae, deadList, nDead, auxKUsed, auxIdx, auxVal);
        for (int i = 0; i < rows * auxKUsed; i++) {
            auxVal[i] = Math.max(auxVal[i], 0f);
        }
        SparseOps.decode(auxIdx, auxVal, rows, auxKUsed, wDec, dIn, null, eHat);
        double scale = loss.auxKCoefficient() * Math.min((double) nDead / loss.kAux(), 1.0);
        // ê − e = ê + (x̂ − x); the residual is a constant here (SAELens detaches it).
        double sum = 0;
        float gScale = (float) (2 * scale / rows);
        for (int i = 0; i < eHat.length; i++) {
            float diff = eHat[i] + (xHat[i] - x[i]);
            sum += (double) diff * diff;
            eHat[i] = gScale * diff; // eHat now holds d auxLoss / d ê
        }
        SparseOps.accumulateDecoderGrad(auxIdx, auxVal, rows, auxKUsed, eHat, dIn, dSae, gradWDec);
        SparseOps.latentGrad(auxIdx, rows, auxKUsed, eHat, wDec, dIn, auxDVal);
        return scale * sum / rows;
    }

    /** Adds the latent gradients of sparse codes into the dense d loss / d pre (in {@code pre}) and b_enc's gradient. */
    private void scatterActive(int[] codeIdx, float[] codeVal, float[] codeGrad, int width) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < width; t++) {
                int j = codeIdx[r * width + t];
                if (j < 0 || codeVal[r * width + t] <= 0f) {
                    continue; // ReLU: no gradient where the activation is zero
                }
                float d = codeGrad[r * width + t];
                pre[r * dSae + j] += d;
                gradBEnc[j] += d;
            }
        }
    }

    private TrainingLoss.Parts backwardStandard(TrainingLoss loss, SaeParams grad, double mse) {
        SaeParams p = sae.params();
        // pre holds f [rows, dSae], and so does preNd (put there for the decoder gemm).
        Nio.put(rowsByDIn, g);
        Nd4j.gemm(preNd, rowsByDIn, grad.wDec(), true, false, 1.0, 0.0); // fᵀ·g  [dSae, dIn]
        float[] norms = sae.decoderRowNorms(); // [dSae]
        double lambda = loss.l1Coefficient();
        Arrays.fill(fSum, 0f);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dSae; j++) {
                fSum[j] += pre[r * dSae + j];
            }
        }
        double l1 = 0;
        for (int j = 0; j < dSae; j++) {
            l1 += (double) fSum[j] * norms[j];
            // d(λ/rows Σ_n f_nj ‖w_j‖)/d w_j = λ/rows · Σ_n f_nj · w_j/‖w_j‖
            rowScale[j] = norms[j] > 0 ? (float) (lambda / rows * fSum[j] / norms[j]) : 0f;
        }
        l1 *= lambda / rows;
        Nio.get(grad.wDec(), gradWDec);
        Nio.get(p.wDec(), wDec);
        for (int j = 0; j < dSae; j++) {
            for (int d = 0; d < dIn; d++) {
                gradWDec[j * dIn + d] += rowScale[j] * wDec[j * dIn + d];
            }
        }
        Nio.put(grad.wDec(), gradWDec);
        // d loss / d f = g·W_decᵀ + λ/rows ‖w_j‖, then through the ReLU (f > 0).
        Nd4j.gemm(rowsByDIn, p.wDec(), preNd, false, true, 1.0, 0.0); // [rows, dSae]
        Nio.get(preNd, df);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dSae; j++) {
                int i = r * dSae + j;
                float d = pre[i] > 0f ? df[i] + (float) (lambda / rows * norms[j]) : 0f;
                df[i] = d;
                gradBEnc[j] += d;
            }
        }
        Nio.put(preNd, df);
        Nd4j.gemm(xcNd, preNd, grad.wEnc(), true, false, 1.0, 0.0); // [dIn, dSae]
        return new TrainingLoss.Parts(mse, l1, 0);
    }

    // ---- what the caller reads after forward() ----

    /** Number of latents above zero in row r. */
    public int l0(int r) {
        int n = 0;
        if (k > 0) {
            for (int t = 0; t < k; t++) {
                n += val[r * k + t] > 0f ? 1 : 0;
            }
        } else {
            for (int j = 0; j < dSae; j++) {
                n += pre[r * dSae + j] > 0f ? 1 : 0;
            }
        }
        return n;
    }

    /** Sum of the latent activations of row r. */
    public double l1(int r) {
        double s = 0;
        if (k > 0) {
            for (int t = 0; t < k; t++) {
                s += val[r * k + t];
            }
        } else {
            for (int j = 0; j < dSae; j++) {
                s += pre[r * dSae + j];
            }
        }
        return s;
    }

    /** Calls {@code visitor} with (row, latent, activation) for every activation above zero, row by row. */
    public void forEachActive(ActiveVisitor visitor) {
        for (int r = 0; r < rows; r++) {
            if (k > 0) {
                for (int t = 0; t < k; t++) {
                    if (val[r * k + t] > 0f) {
                        visitor.visit(r, idx[r * k + t], val[r * k + t]);
                    }
                }
            } else {
                for (int j = 0; j < dSae; j++) {
                    if (pre[r * dSae + j] > 0f) {
                        visitor.visit(r, j, pre[r * dSae + j]);
                    }
                }
            }
        }
    }

    @FunctionalInterface
    public interface ActiveVisitor {
        void visit(int row, int latent, float activation);
    }
}
