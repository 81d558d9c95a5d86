package org.sae4j.dictionary;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Standard ReLU SAE with the decoder-norm-weighted L1 penalty (SAELens {@code standard}). Its codes are dense
 * enough that every product is a GEMM through {@code Nd4j.gemm} into preallocated outputs.
 */
final class StandardPass extends Pass {
    private final float[] f;        // [rows, dSae] the codes relu(pre + b_enc)
    private final float[] df;       // [rows, dSae] d loss / d f, then d loss / d pre
    private final float[] fSum;     // [dSae]
    private final float[] rowScale; // [dSae]
    private final float[] wDec;     // [dSae, dIn]
    private final float[] gradWDec; // [dSae, dIn]
    private final INDArray rowsByDIn; // [rows, dIn] x̂ out of the decoder gemm, then d loss / d x̂

    StandardPass(Sae sae, int rows) {
        super(sae, rows);
        this.f = new float[rows * dSae];
        this.df = new float[rows * dSae];
        this.fSum = new float[dSae];
        this.rowScale = new float[dSae];
        this.wDec = new float[dSae * dIn];
        this.gradWDec = new float[dSae * dIn];
        this.rowsByDIn = Nd4j.create(DataType.FLOAT, rows, dIn);
    }

    @Override
    void forward() {
        SaeParams p = sae.params();
        encodeWithoutBias();
        preNd.addiRowVector(p.bEnc());
        Nio.get(preNd, f);
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.max(f[i], 0f);
        }
        Nio.put(preNd, f);
        Nd4j.gemm(preNd, p.wDec(), rowsByDIn, false, false, 1.0, 0.0); // [rows, dIn]
        rowsByDIn.addiRowVector(p.bDec());
        Nio.get(rowsByDIn, xHat);
    }

    @Override
    void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        SaeParams p = sae.params();
        double mse = reconstructionGrad();
        Arrays.fill(gradBEnc, 0f);
        // preNd holds f (put there for the decoder gemm).
        Nio.put(rowsByDIn, g);
        Nd4j.gemm(preNd, rowsByDIn, grad.wDec(), true, false, 1.0, 0.0); // fᵀ·g  [dSae, dIn]
        float[] norms = sae.decoderRowNorms(); // [dSae]
        double lambda = loss.l1Coefficient();
        Arrays.fill(fSum, 0f);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dSae; j++) {
                fSum[j] += f[r * dSae + j];
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
                float d = f[i] > 0f ? df[i] + (float) (lambda / rows * norms[j]) : 0f;
                df[i] = d;
                gradBEnc[j] += d;
            }
        }
        Nio.put(preNd, df);
        Nd4j.gemm(xcNd, preNd, grad.wEnc(), true, false, 1.0, 0.0); // [dIn, dSae]
        writeBiasGrads(grad);
        out.set(mse, l1, 0, 0);
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
