package org.sae4j.dictionary;

import org.sae4j.dictionary.kernels.FloatOps;
import org.sae4j.dictionary.kernels.Parallel;
import org.sae4j.dictionary.kernels.SparseBackward;

/**
 * The passes whose backward walks only the active latents ({@link SparseBackward}): TopK's and BatchTopK's. What they
 * share lives here: heap copies of b_enc and W_dec for the Java kernels, AuxK, and the backward's kernels, which
 * project each decoder row's gradient off the row inside the walk (against the W_dec copy the forward used) rather
 * than in a pass of its own after it, and check the gradient finite as they write it.
 */
abstract sealed class SparsePass extends Pass permits TopKPass, BatchTopKPass {
    final float[] bEnc;  // [dSae]
    final float[] wDec;  // [dSae, dIn] heap copy of W_dec, refreshed per forward by copyDecoder
    final AuxK auxK;
    private final Parallel.RangeBody copyDecoderRows = this::copyDecoderRows; // bound once: no lambda per call

    SparsePass(Sae sae, int rows) {
        super(sae, rows);
        this.bEnc = new float[dSae];
        this.wDec = new float[dSae * dIn];
        this.auxK = new AuxK(rows, dIn, dSae);
    }

    @Override
    final void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        backward(loss, dead, grad, false, out);
    }

    @Override
    final void backwardTangent(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        backward(loss, dead, grad, true, out);
    }

    /** The backward; with {@code tangentDecoderGrad}, each dW_dec row also projected off its decoder row. */
    abstract void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, boolean tangentDecoderGrad,
                           TrainingLoss.Parts out);

    /** b_enc into {@link #bEnc}, for the selection that follows the encoder GEMM. */
    final void copyEncoderBias() {
        bEncView.get(0, bEnc);
    }

    /** W_dec into {@link #wDec}, for the sparse kernels, which read it from the heap. */
    final void copyDecoder() {
        Parallel.forRange(dSae, 256, copyDecoderRows);
    }

    private void copyDecoderRows(int from, int to) {
        wDecView.get(from * dIn, wDec, from * dIn, (to - from) * dIn);
    }

    /** AuxK over the latents flagged in {@code dead} (may be null): its code set, or null when it does not run. */
    final SparseBackward.Codes runAuxK(TrainingLoss loss, boolean[] dead) {
        return auxK.run(loss, dead, pre, bEnc, wDec, xHat, x);
    }

    /**
     * dW_dec, dW_enc and db_enc from the code sets, written into {@code grad} with the bias gradients; notes whether
     * every element written was finite ({@link Pass#gradientFinite}).
     */
    final void sparseBackward(SparseBackward.Codes[] sets, SaeParams grad, boolean tangentDecoderGrad) {
        viewGradient(grad);
        boolean finite = SparseBackward.run(sets, xc, dIn, dSae, wDec, tangentDecoderGrad, gradBEnc, gradWDecView,
                gradWEncView);
        writeBiasGrads(grad);
        gradientFinite = finite && FloatOps.allFinite(gradBEnc, 0, dSae) && FloatOps.allFinite(gradBDec, 0, dIn);
    }
}
