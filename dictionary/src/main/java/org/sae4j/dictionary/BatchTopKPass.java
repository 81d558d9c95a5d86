package org.sae4j.dictionary;

import java.nio.FloatBuffer;
import java.util.List;
import org.sae4j.dictionary.kernels.ActiveLatents;
import org.sae4j.dictionary.kernels.BatchSelect;
import org.sae4j.dictionary.kernels.NestedDecode;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.SparseBackward;

/**
 * BatchTopK (Bussmann et al. 2024) and Matryoshka BatchTopK (Bussmann, Nabeshima et al. 2025) at training: the
 * k·rows largest positive pre-activations of the batch are kept ({@link BatchSelect}, ragged rows), decoded by each
 * nested prefix of latents with each prefix's squared error ({@link NestedDecode}; plain BatchTopK is the single
 * prefix d_sae), and the backward walks the active latents once per level ({@link SparseBackward}), each level
 * reading the gradient of the prefixes it feeds. AuxK revives dead latents as for TopK.
 *
 * <p>The inner prefixes reuse the full batch's selection, as the Matryoshka paper's code does (SAELens instead
 * repeats the batch selection inside each prefix). The backward also moves the running threshold,
 * {@code θ ← (1 − lr)·θ + lr·min(kept activations)} (SAELens {@code update_topk_threshold}), kept in the
 * {@code threshold} tensor (every latent the same value) with a zero gradient so the optimizer leaves it alone; it
 * is what the SAE uses at inference, saved as a {@code jumprelu}.
 */
final class BatchTopKPass extends SparsePass {
    private final int keep;          // k · rows
    private final int[] levelEnd;    // [levels] prefix ends, the last = dSae
    private final int[] rowStart;    // [rows + 1]
    private final int[] idx;         // [keep] latents, ragged rows
    private final float[] val;       // [keep] activations
    private final float[] codeGrad;  // [keep] d loss / d activation
    private final float[][] levelGrad; // [levels][rows, dIn] d loss / d x̂⁽ᵐ⁾ summed over later prefixes; [0] is g
    private final double[][] levelSq;  // [levels][rows]
    private final ActiveLatents[] actives; // [levels]
    private final SparseBackward.Codes[] sets; // [levels]
    private final SparseBackward.Codes[] setsWithAux; // [levels + 1]
    private final BatchSelect select;
    private int kept;
    private final FloatBuffer thetaView; // the SAE's threshold, every latent the same value

    BatchTopKPass(Sae sae, int rows, int k, List<Integer> widths) {
        super(sae, rows);
        this.keep = Math.toIntExact(Math.min((long) k * rows, (long) rows * dSae));
        this.levelEnd = widths.stream().mapToInt(Integer::intValue).toArray();
        int levels = levelEnd.length;
        this.rowStart = new int[rows + 1];
        this.idx = new int[keep];
        this.val = new float[keep];
        this.codeGrad = new float[keep];
        this.levelGrad = new float[levels][];
        this.levelGrad[0] = g;
        for (int m = 1; m < levels; m++) {
            levelGrad[m] = new float[rows * dIn];
        }
        this.levelSq = new double[levels][rows];
        this.actives = new ActiveLatents[levels];
        for (int m = 0; m < levels; m++) {
            actives[m] = new ActiveLatents(dSae);
        }
        this.sets = new SparseBackward.Codes[levels];
        this.setsWithAux = new SparseBackward.Codes[levels + 1];
        for (int m = 0; m < levels; m++) {
            sets[m] = new SparseBackward.Codes(actives[m], val, levelGrad[m], codeGrad);
            setsWithAux[m] = sets[m];
        }
        this.select = new BatchSelect(rows, dSae);
        this.thetaView = Nio.floats(sae.params().threshold());
    }

    @Override
    void forward() {
        encodeWithoutBias();
        copyEncoderBias();
        kept = select.select(pre, bEnc, keep, rowStart, idx, val);
        copyDecoder();
        NestedDecode.decodeWithGrad(rowStart, idx, val, rows, wDec, dIn, bDec, x, 2f / rows, levelEnd, xHat,
                levelGrad, levelSq, codeGrad);
    }

    @Override
    void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, boolean tangentDecoderGrad,
                  TrainingLoss.Parts out) {
        int levels = levelEnd.length;
        double mse = 0;
        double inner = 0;
        for (int m = 0; m < levels; m++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += levelSq[m][r];
            }
            if (m == levels - 1) {
                mse = s / rows;
            } else {
                inner += s / rows;
            }
        }
        sumDecoderBiasGrad(); // g = levelGrad[0] holds every prefix's gradient: each decode adds b_dec
        SparseBackward.Codes aux = runAuxK(loss, dead);
        for (int m = 0; m < levels; m++) {
            actives[m].buildRagged(rowStart, idx, val, rows, m == 0 ? 0 : levelEnd[m - 1], levelEnd[m]);
        }
        setsWithAux[levels] = aux;
        sparseBackward(aux == null ? sets : setsWithAux, grad, tangentDecoderGrad);
        fill(gradThresholdView, 0f); // not the optimizer's to move: a zero gradient, so a zero Adam update
        updateThreshold(loss.thresholdLr());
        out.set(mse, 0, auxK.loss(), inner);
    }

    /** The EMA of the smallest kept activation, in double from the stored float, so a resumed run computes the same. */
    private void updateThreshold(double lr) {
        if (kept == 0 || lr == 0) {
            return;
        }
        float min = Float.MAX_VALUE;
        for (int e = 0; e < kept; e++) {
            min = Math.min(min, val[e]);
        }
        double old = thetaView.get(0);
        fill(thetaView, (float) ((1 - lr) * old + lr * min));
    }

    private static void fill(FloatBuffer b, float value) {
        for (int j = 0; j < b.capacity(); j++) {
            b.put(j, value);
        }
    }

    @Override
    int l0(int r) {
        return rowStart[r + 1] - rowStart[r];
    }

    @Override
    double l1(int r) {
        double s = 0;
        for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
            s += val[e];
        }
        return s;
    }

    @Override
    void forEachActive(SaeWorkspace.ActiveVisitor visitor) {
        for (int r = 0; r < rows; r++) {
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                visitor.visit(r, idx[e], val[e]);
            }
        }
    }
}
