package org.sae4j.dictionary;

import org.sae4j.dictionary.kernels.ActiveLatents;
import org.sae4j.dictionary.kernels.SparseBackward;
import org.sae4j.dictionary.kernels.SparseOps;
import org.sae4j.dictionary.kernels.TopK;

/**
 * TopK (Gao et al. 2024; SAELens {@code topk}): after the encoder GEMM, everything touches only the k active
 * latents of each row. The GEMM's output is scanned for each row's top k with b_enc added on the fly; decode is a
 * gather-sum of k decoder rows, fused with the reconstruction gradient (so the forward also leaves d loss / d x̂;
 * the reconstruction term's weight is always 1); the backward ({@link SparseBackward}) walks the active latents in
 * order, forms d loss / d activation = (d loss / d x̂_n) · W_dec[j] from the rows it gathers for dW_dec, and writes
 * dW_dec, dW_enc and db_enc with no dense [rows, dSae] gradient and no second GEMM.
 *
 * <p>The GEMM's output stays in native memory until the next forward because AuxK's selection among dead latents
 * reads it in the backward.
 */
final class TopKPass extends SparsePass {
    private final int k;
    private final int[] idx;     // [rows, k] the chosen latents of each row
    private final float[] val;   // [rows, k] their activations, after the ReLU
    private final float[] dVal;  // [rows, k] d loss / d activation (reconstruction term), from the backward
    private final double[] sq;   // [rows] ‖x̂_r − x_r‖², from the forward
    private final ActiveLatents active;
    private final SparseBackward.Codes codes; // the main code set, as the backward reads it
    private final SparseBackward.Codes[] mainOnly;
    private final SparseBackward.Codes[] mainAndAux; // [1] set per step

    TopKPass(Sae sae, int rows, int k) {
        super(sae, rows);
        this.k = k;
        this.idx = new int[rows * k];
        this.val = new float[rows * k];
        this.dVal = new float[rows * k];
        this.sq = new double[rows];
        this.active = new ActiveLatents(dSae);
        this.codes = new SparseBackward.Codes(active, val, g, dVal, true); // dVal: formed in the backward
        this.mainOnly = new SparseBackward.Codes[] {codes};
        this.mainAndAux = new SparseBackward.Codes[] {codes, null};
    }

    @Override
    void forward() {
        encodeWithoutBias();
        copyEncoderBias();
        TopK.select(pre, bEnc, rows, dSae, null, 0, k, idx, val);
        for (int i = 0; i < val.length; i++) {
            val[i] = Math.max(val[i], 0f); // SAELens topk: ReLU after selection
        }
        copyDecoder();
        SparseOps.decodeWithGrad(idx, val, rows, k, wDec, dIn, bDec, null, x, 2f / rows, xHat, g, sq, null);
    }

    @Override
    void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, boolean tangentDecoderGrad,
                  TrainingLoss.Parts out) {
        double mse = 0;
        for (int r = 0; r < rows; r++) {
            mse += sq[r];
        }
        mse /= rows;
        sumDecoderBiasGrad();
        SparseBackward.Codes aux = runAuxK(loss, dead);
        active.build(idx, val, rows, k);
        SparseBackward.Codes[] sets = mainOnly;
        if (aux != null) {
            mainAndAux[1] = aux;
            sets = mainAndAux;
        }
        sparseBackward(sets, grad, tangentDecoderGrad);
        out.set(mse, 0, auxK.loss(), 0);
    }

    @Override
    int l0(int r) {
        int n = 0;
        for (int t = 0; t < k; t++) {
            n += val[r * k + t] > 0f ? 1 : 0;
        }
        return n;
    }

    @Override
    double l1(int r) {
        double s = 0;
        for (int t = 0; t < k; t++) {
            s += val[r * k + t];
        }
        return s;
    }

    @Override
    void forEachActive(SaeWorkspace.ActiveVisitor visitor) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < k; t++) {
                if (val[r * k + t] > 0f) {
                    visitor.visit(r, idx[r * k + t], val[r * k + t]);
                }
            }
        }
    }
}
