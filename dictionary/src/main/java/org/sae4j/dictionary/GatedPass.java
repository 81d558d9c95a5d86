package org.sae4j.dictionary;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.Parallel;
import org.sae4j.dictionary.kernels.RowOps;

/**
 * Gated SAE (Rajamanoharan et al. 2024; SAELens {@code gated}). Both encoder paths come out of the one shared GEMM
 * {@code pre = (x − b_dec)·W_enc}, because the magnitude path's weights are W_enc with column j scaled by
 * {@code exp(r_mag[j])}:
 * <pre>
 *   π_gate = pre + b_gate                 f = 1[π_gate > 0] ⊙ relu(π_mag)        x̂ = f·W_dec + b_dec
 *   π_mag  = exp(r_mag) ⊙ pre + b_mag
 * </pre>
 * The training loss, each term a mean over rows (SAELens {@code GatedTrainingSAE}):
 * <pre>
 *   ‖x̂ − x‖²  +  λ Σ_j relu(π_gate)_j ‖W_dec[j]‖  +  ‖relu(π_gate)·sg(W_dec) + sg(b_dec) − x‖²
 * </pre>
 * The last, auxiliary, term gives the gate path the gradient the Heaviside step withholds (its derivative is 0
 * almost everywhere, so the reconstruction term trains only the magnitude path). As in the paper (§3.2, "frozen
 * copies"), sg marks a stop-gradient: the auxiliary term does not move the decoder; it still moves b_dec through the
 * encoder's input x − b_dec. SAELens differs here: its auxiliary term is not detached and also trains W_dec and b_dec.
 * The auxiliary term's weight is 1, as in both. The trainer keeps decoder rows at unit norm, as the paper does
 * (with the auxiliary term frozen nothing else stops the L1 from shrinking them while r_mag grows to compensate), so
 * the norm weight of the sparsity term is 1 in training; it matters for SAEs trained elsewhere.
 *
 * <p>Codes are dense as in {@link StandardPass}, so every product is an {@code Nd4j.gemm} into a preallocated output.
 * Element-wise work runs in parallel over rows (forward) or over columns (backward, each column summed over rows in
 * row order), so results do not depend on the number of threads.
 */
final class GatedPass extends Pass {
    private final float[] preArr;   // [rows, dSae] pre = (x − b_dec)·W_enc, kept for the backward
    private final float[] f;        // [rows, dSae] the codes 1[π_gate > 0] ⊙ relu(π_mag)
    private final float[] gateAct;  // [rows, dSae] relu(π_gate), the auxiliary path's codes
    private final float[] dF;       // [rows, dSae] g·W_decᵀ, then d loss / d pre
    private final float[] dGate;    // [rows, dSae] ga·W_decᵀ (auxiliary term's d loss / d relu(π_gate))
    private final float[] bGate;    // [dSae]
    private final float[] bMag;     // [dSae]
    private final float[] rMag;     // [dSae]
    private final float[] scale;    // [dSae] exp(r_mag)
    private final float[] norms;    // [dSae] ‖W_dec[j]‖
    private final float[] gateSum;  // [dSae] Σ_n relu(π_gate)_nj
    private final float[] gradBGate; // [dSae]
    private final float[] gradRMag;  // [dSae]
    private final float[] gradBMag;  // [dSae]
    private final float[] wDec;      // [dSae, dIn]
    private final float[] gradWDec;  // [dSae, dIn]
    private final float[] auxOut;    // [rows, dIn] relu(π_gate)·W_dec, then d auxLoss / d (that)
    private final INDArray codesNd;  // [rows, dSae] f for the decoder GEMMs, then d loss / d pre
    private final INDArray gateNd;   // [rows, dSae] relu(π_gate), then ga·W_decᵀ
    private final INDArray rowsByDIn; // [rows, dIn] x̂, then d loss / d x̂
    private final INDArray auxNd;     // [rows, dIn] relu(π_gate)·W_dec, then d auxLoss / d (that)

    GatedPass(Sae sae, int rows) {
        super(sae, rows);
        int n = rows * dSae;
        this.preArr = new float[n];
        this.f = new float[n];
        this.gateAct = new float[n];
        this.dF = new float[n];
        this.dGate = new float[n];
        this.bGate = new float[dSae];
        this.bMag = new float[dSae];
        this.rMag = new float[dSae];
        this.scale = new float[dSae];
        this.norms = new float[dSae];
        this.gateSum = new float[dSae];
        this.gradBGate = new float[dSae];
        this.gradRMag = new float[dSae];
        this.gradBMag = new float[dSae];
        this.wDec = new float[dSae * dIn];
        this.gradWDec = new float[dSae * dIn];
        this.auxOut = new float[rows * dIn];
        this.codesNd = Nd4j.create(DataType.FLOAT, rows, dSae);
        this.gateNd = Nd4j.create(DataType.FLOAT, rows, dSae);
        this.rowsByDIn = Nd4j.create(DataType.FLOAT, rows, dIn);
        this.auxNd = Nd4j.create(DataType.FLOAT, rows, dIn);
    }

    @Override
    void forward() {
        SaeParams p = sae.params();
        encodeWithoutBias();
        Nio.get(preNd, preArr);
        Nio.get(p.tensor("b_gate"), bGate);
        Nio.get(p.tensor("b_mag"), bMag);
        Nio.get(p.tensor("r_mag"), rMag);
        for (int j = 0; j < dSae; j++) {
            scale[j] = (float) Math.exp(rMag[j]);
        }
        Parallel.forRange(rows, (from, to) -> {
            for (int i = from * dSae; i < to * dSae; i++) {
                int j = i % dSae;
                float piGate = preArr[i] + bGate[j];
                float piMag = scale[j] * preArr[i] + bMag[j];
                f[i] = piGate > 0f ? Math.max(piMag, 0f) : 0f;
                gateAct[i] = Math.max(piGate, 0f);
            }
        });
        Nio.put(codesNd, f);
        Nd4j.gemm(codesNd, p.wDec(), rowsByDIn, false, false, 1.0, 0.0); // [rows, dIn]
        rowsByDIn.addiRowVector(p.bDec());
        Nio.get(rowsByDIn, xHat);
    }

    @Override
    void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        SaeParams p = sae.params();
        double mse = reconstructionGrad(); // g = d mse / d x̂, gradBDec = Σ_n g_n
        Nio.put(rowsByDIn, g);
        Nd4j.gemm(codesNd, rowsByDIn, grad.wDec(), true, false, 1.0, 0.0); // fᵀ·g  [dSae, dIn]
        Nd4j.gemm(rowsByDIn, p.wDec(), codesNd, false, true, 1.0, 0.0);    // g·W_decᵀ  [rows, dSae]
        Nio.get(codesNd, dF);
        double auxLoss = auxiliaryGrad(p);
        double sparsity = sparsityOnDecoder(loss.l1Coefficient(), p, grad);
        double lambdaOverRows = loss.l1Coefficient() / rows;
        pathGrads(lambdaOverRows);
        Nio.put(codesNd, dF);
        Nd4j.gemm(xcNd, codesNd, grad.wEnc(), true, false, 1.0, 0.0); // xcᵀ·(d loss / d pre)  [dIn, dSae]
        Nio.put(grad.tensor("b_gate"), gradBGate);
        Nio.put(grad.tensor("r_mag"), gradRMag);
        Nio.put(grad.tensor("b_mag"), gradBMag);
        if (sae.config().applyBDecToInput()) {
            // b_dec also reaches every path through the encoder's input x − b_dec: −W_enc · Σ_n d loss / d pre_n.
            RowOps.matVec(Nio.floats(p.wEnc()), dIn, dSae, gradBEnc, viaEncoder); // [dIn]
            for (int d = 0; d < dIn; d++) {
                gradBDec[d] -= viaEncoder[d];
            }
        }
        Nio.put(grad.bDec(), gradBDec);
        out.set(mse, sparsity, auxLoss, 0);
    }

    /**
     * The auxiliary reconstruction from the gate path through the frozen decoder: returns
     * {@code mean_n ‖relu(π_gate_n)·W_dec + b_dec − x_n‖²} and leaves its gradient with respect to relu(π_gate),
     * {@code ga·W_decᵀ} with {@code ga = 2 (relu(π_gate)·W_dec + b_dec − x) / rows}, in dGate. Nothing reaches W_dec
     * or b_dec from here (the stop-gradient).
     */
    private double auxiliaryGrad(SaeParams p) {
        Nio.put(gateNd, gateAct);
        Nd4j.gemm(gateNd, p.wDec(), auxNd, false, false, 1.0, 0.0); // relu(π_gate)·W_dec  [rows, dIn]
        Nio.get(auxNd, auxOut);
        float twoOverRows = 2f / rows;
        Parallel.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                double sq = 0;
                for (int i = r * dIn, d = 0; d < dIn; i++, d++) {
                    float diff = auxOut[i] + bDec[d] - x[i];
                    sq += (double) diff * diff;
                    auxOut[i] = twoOverRows * diff;
                }
                rowSum[r] = sq;
            }
        });
        double auxLoss = sumRows() / rows;
        Nio.put(auxNd, auxOut);
        Nd4j.gemm(auxNd, p.wDec(), gateNd, false, true, 1.0, 0.0); // ga·W_decᵀ  [rows, dSae]
        Nio.get(gateNd, dGate);
        return auxLoss;
    }

    /**
     * The sparsity term {@code λ/rows Σ_n Σ_j relu(π_gate)_nj ‖W_dec[j]‖}: returns it, and adds its gradient with
     * respect to the decoder rows, {@code λ/rows · Σ_n relu(π_gate)_nj · W_dec[j]/‖W_dec[j]‖}, into grad's W_dec
     * (which holds fᵀ·g). Leaves the norms for {@link #pathGrads}.
     */
    private double sparsityOnDecoder(double lambda, SaeParams p, SaeParams grad) {
        System.arraycopy(sae.decoderRowNorms(), 0, norms, 0, dSae);
        Parallel.forRange(dSae, 64, (from, to) -> {
            for (int j = from; j < to; j++) {
                float s = 0f;
                for (int r = 0; r < rows; r++) {
                    s += gateAct[r * dSae + j];
                }
                gateSum[j] = s;
            }
        });
        double l1 = 0;
        for (int j = 0; j < dSae; j++) {
            l1 += (double) gateSum[j] * norms[j];
        }
        Nio.get(grad.wDec(), gradWDec);
        Nio.get(p.wDec(), wDec);
        for (int j = 0; j < dSae; j++) {
            float rowScale = norms[j] > 0 ? (float) (lambda / rows * gateSum[j] / norms[j]) : 0f;
            for (int d = 0; d < dIn; d++) {
                gradWDec[j * dIn + d] += rowScale * wDec[j * dIn + d];
            }
        }
        Nio.put(grad.wDec(), gradWDec);
        return l1 * lambda / rows;
    }

    /**
     * From d loss / d f (dF, the reconstruction) and d auxLoss / d relu(π_gate) (dGate) to the encoder paths:
     * <pre>
     *   δ_mag  = dF ⊙ 1[π_gate > 0] ⊙ 1[π_mag > 0]                 (the gate's step passes no gradient)
     *   δ_gate = (dGate + λ/rows ‖W_dec[j]‖) ⊙ 1[π_gate > 0]
     *   d loss / d pre = δ_gate + exp(r_mag) ⊙ δ_mag;   d b_gate = Σ_n δ_gate;   d b_mag = Σ_n δ_mag;
     *   d r_mag = exp(r_mag) ⊙ Σ_n δ_mag ⊙ pre
     * </pre>
     * Writes d loss / d pre over dF and its column sums into gradBEnc (for b_dec's encoder path).
     */
    private void pathGrads(double lambdaOverRows) {
        Parallel.forRange(dSae, 64, (from, to) -> {
            for (int j = from; j < to; j++) {
                float l1Push = (float) (lambdaOverRows * norms[j]);
                float sumGate = 0f;
                float sumMag = 0f;
                float sumMagPre = 0f;
                float sumPre = 0f;
                for (int r = 0; r < rows; r++) {
                    int i = r * dSae + j;
                    float pre = preArr[i];
                    boolean gateOn = pre + bGate[j] > 0f;
                    boolean magOn = scale[j] * pre + bMag[j] > 0f;
                    float dMag = gateOn && magOn ? dF[i] : 0f;
                    float dGatePath = gateOn ? dGate[i] + l1Push : 0f;
                    float dPre = dGatePath + scale[j] * dMag;
                    dF[i] = dPre;
                    sumGate += dGatePath;
                    sumMag += dMag;
                    sumMagPre += dMag * pre;
                    sumPre += dPre;
                }
                gradBGate[j] = sumGate;
                gradBMag[j] = sumMag;
                gradRMag[j] = scale[j] * sumMagPre;
                gradBEnc[j] = sumPre;
            }
        });
    }

    @Override
    int l0(int r) {
        return DenseCodes.l0(f, dSae, r);
    }

    @Override
    double l1(int r) {
        return DenseCodes.l1(f, dSae, r);
    }

    @Override
    void forEachActive(SaeWorkspace.ActiveVisitor visitor) {
        DenseCodes.forEachActive(f, rows, dSae, visitor);
    }
}
