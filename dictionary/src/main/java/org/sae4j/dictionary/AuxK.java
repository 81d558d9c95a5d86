package org.sae4j.dictionary;

import java.nio.ByteBuffer;
import org.sae4j.dictionary.kernels.ActiveLatents;
import org.sae4j.dictionary.kernels.SparseBackward;
import org.sae4j.dictionary.kernels.SparseOps;
import org.sae4j.dictionary.kernels.TopK;

/**
 * AuxK (Gao et al. 2024 §A.2, as SAELens) for the TopK and BatchTopK passes: the kAux largest pre-activations among
 * dead latents reconstruct the main residual {@code e = x − x̂} through W_dec (no bias); loss
 * {@code α · min(nDead/kAux, 1) · mean_n ‖ê_n − e_n‖²}, with e a constant (SAELens detaches it). Buffers depend on
 * kAux, which comes with the loss: sized on first use, then kept.
 */
final class AuxK {
    private final int rows;
    private final int dIn;
    private final int dSae;
    private final int[] deadList;   // [dSae] indices of dead latents
    private final float[] eHat;     // [rows, dIn] ê, then d auxLoss / d ê
    private final double[] rowSq;   // [rows]
    private final ActiveLatents active;
    private int[] idx = new int[0];
    private float[] val = new float[0];
    private float[] dVal = new float[0];
    private SparseBackward.Codes codes; // over val and dVal; made again only when they grow
    private double value; // the term at the last run

    AuxK(int rows, int dIn, int dSae) {
        this.rows = rows;
        this.dIn = dIn;
        this.dSae = dSae;
        this.deadList = new int[dSae];
        this.eHat = new float[rows * dIn];
        this.rowSq = new double[rows];
        this.active = new ActiveLatents(dSae);
    }

    /**
     * Runs the term; returns its code set for {@link SparseBackward} (null when it did not run: no dead latents, or
     * a zero weight) and leaves the loss in {@link #loss}.
     *
     * @param pre  [rows, dSae] the encoder GEMM's output without b_enc, native
     * @param bEnc [dSae]
     * @param wDec [dSae, dIn] heap copy
     * @param xHat [rows, dIn] the main reconstruction
     * @param x    [rows, dIn] the input
     */
    SparseBackward.Codes run(TrainingLoss loss, boolean[] dead, ByteBuffer pre, float[] bEnc, float[] wDec,
                             float[] xHat, float[] x) {
        value = 0;
        if (dead == null || loss.auxKCoefficient() == 0 || loss.kAux() == 0) {
            return null;
        }
        int nDead = 0;
        for (int j = 0; j < dSae; j++) {
            if (dead[j]) {
                deadList[nDead++] = j;
            }
        }
        if (nDead == 0) {
            return null;
        }
        int width = Math.min(loss.kAux(), nDead);
        if (idx.length < rows * width) {
            idx = new int[rows * width];
            val = new float[rows * width];
            dVal = new float[rows * width];
            codes = new SparseBackward.Codes(active, val, eHat, dVal);
        }
        TopK.select(pre, bEnc, rows, dSae, deadList, nDead, width, idx, val);
        for (int i = 0; i < rows * width; i++) {
            val[i] = Math.max(val[i], 0f);
        }
        double scale = loss.auxKCoefficient() * Math.min((double) nDead / loss.kAux(), 1.0);
        // ê − e = ê + x̂ − x; eHat ends holding d auxLoss / d ê.
        SparseOps.decodeWithGrad(idx, val, rows, width, wDec, dIn, null, xHat, x, (float) (2 * scale / rows),
                eHat, eHat, rowSq, dVal);
        double s = 0;
        for (int r = 0; r < rows; r++) {
            s += rowSq[r];
        }
        value = scale * s / rows;
        active.build(idx, val, rows, width);
        return codes;
    }

    /** The term's value at the last {@link #run}; 0 when it did not run. */
    double loss() {
        return value;
    }
}
