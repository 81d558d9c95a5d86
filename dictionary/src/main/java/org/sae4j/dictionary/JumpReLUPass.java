package org.sae4j.dictionary;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.Parallel;

/**
 * JumpReLU (Rajamanoharan et al. 2024; SAELens {@code jumprelu}): {@code f = relu(pre) · H(pre − θ)} with a learned
 * θ per latent. Its codes are as dense as a ReLU's until the threshold has been learned (at θ = 0.01 about half the
 * latents fire), so every product is a GEMM through {@code Nd4j.gemm}, as for {@link StandardPass}; the elementwise
 * work runs over rows, the per-latent sums over blocks of latents (each sum in row order: deterministic).
 *
 * <p>The backward follows SAELens's autograd functions: the reconstruction's gradient reaches pre only where the
 * latent is active (no STE towards the input); θ gets the straight-through pseudo-gradient of {@link JumpReLULoss},
 * {@code −(θ/ε)·rect((pre − θ)/ε)·∂L/∂f} from the reconstruction (and the tanh penalty, which is a function of f), and
 * {@code −(λ/rows)(1/ε)·rect((pre − θ)/ε)} from the step-mode L0 penalty.
 */
final class JumpReLUPass extends Pass {
    private final float[] preAct;   // [rows, dSae] pre = xc·W_enc + b_enc, kept for the backward
    private final float[] f;        // [rows, dSae] the codes
    private final float[] df;       // [rows, dSae] d loss / d f, then d loss / d pre
    private final float[] theta;    // [dSae]
    private final float[] gradTheta; // [dSae]
    private final float[] norms;    // [dSae] ‖W_dec[j]‖
    private final float[] rowScale; // [dSae] tanh mode: the W_dec row's own gradient factor
    private final float[] wDec;     // [dSae, dIn]
    private final float[] gradWDec; // [dSae, dIn]
    private final double[] blockSum; // [dSae] per-latent partial sums of the penalty, summed in latent order
    private final INDArray rowsByDIn; // [rows, dIn] x̂ out of the decoder gemm, then d loss / d x̂

    JumpReLUPass(Sae sae, int rows) {
        super(sae, rows);
        this.preAct = new float[rows * dSae];
        this.f = new float[rows * dSae];
        this.df = new float[rows * dSae];
        this.theta = new float[dSae];
        this.gradTheta = new float[dSae];
        this.norms = new float[dSae];
        this.rowScale = new float[dSae];
        this.wDec = new float[dSae * dIn];
        this.gradWDec = new float[dSae * dIn];
        this.blockSum = new double[dSae];
        this.rowsByDIn = Nd4j.create(DataType.FLOAT, rows, dIn);
    }

    @Override
    void forward() {
        SaeParams p = sae.params();
        encodeWithoutBias();
        preNd.addiRowVector(p.bEnc());
        Nio.get(preNd, preAct);
        Nio.get(p.threshold(), theta);
        Parallel.forRange(rows, (from, to) -> {
            for (int i = from * dSae; i < to * dSae; i += dSae) {
                for (int j = 0; j < dSae; j++) {
                    f[i + j] = active(preAct[i + j], theta[j]) ? preAct[i + j] : 0f;
                }
            }
        });
        Nio.put(preNd, f);
        Nd4j.gemm(preNd, p.wDec(), rowsByDIn, false, false, 1.0, 0.0); // [rows, dIn]
        rowsByDIn.addiRowVector(p.bDec());
        Nio.get(rowsByDIn, xHat);
    }

    /** relu(pre)·H(pre − θ) is pre here, else 0. */
    private static boolean active(float pre, float theta) {
        return pre > theta && pre > 0f;
    }

    @Override
    void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        SaeParams p = sae.params();
        JumpReLULoss jr = loss.jumpRelu();
        double mse = reconstructionGrad();
        // dW_dec = fᵀ·g and d loss / d f = g·W_decᵀ (preNd holds f, put there for the decoder gemm).
        Nio.put(rowsByDIn, g);
        Nd4j.gemm(preNd, rowsByDIn, grad.wDec(), true, false, 1.0, 0.0); // [dSae, dIn]
        Nd4j.gemm(rowsByDIn, p.wDec(), preNd, false, true, 1.0, 0.0);   // [rows, dSae]
        Nio.get(preNd, df);
        double lambda = jr.l0Coefficient() / rows;
        double eps = jr.bandwidth();
        double penalty = jr.mode() == JumpReLULoss.Mode.TANH ? tanhPenalty(jr, lambda, grad) : 0;
        // Through the JumpReLU, per block of latents: d pre, db_enc, the STE's dθ and the step-mode L0 term.
        boolean step = jr.mode() == JumpReLULoss.Mode.STEP;
        Parallel.forRange(dSae, 64, (from, to) -> {
            for (int j = from; j < to; j++) {
                gradBEnc[j] = 0f;
                gradTheta[j] = 0f;
                blockSum[j] = 0;
            }
            for (int r = 0; r < rows; r++) {
                int o = r * dSae;
                for (int j = from; j < to; j++) {
                    float pre = preAct[o + j];
                    float dF = df[o + j];
                    boolean window = JumpReLULoss.inWindow(pre, theta[j], eps);
                    if (window) {
                        gradTheta[j] += (float) (-(theta[j] / eps) * dF);
                    }
                    if (step) {
                        if (pre > theta[j]) {
                            blockSum[j] += 1;
                        }
                        if (window) {
                            gradTheta[j] += (float) (-lambda / eps);
                        }
                    }
                    float dPre = active(pre, theta[j]) ? dF : 0f;
                    df[o + j] = dPre;
                    gradBEnc[j] += dPre;
                }
            }
        });
        if (step) {
            for (int j = 0; j < dSae; j++) {
                penalty += lambda * blockSum[j];
            }
        }
        Nio.put(preNd, df);
        Nd4j.gemm(xcNd, preNd, grad.wEnc(), true, false, 1.0, 0.0); // [dIn, dSae]
        writeBiasGrads(grad);
        Nio.put(grad.threshold(), gradTheta);
        out.set(mse, penalty, 0, 0);
    }

    /**
     * The tanh penalty {@code λ/rows · Σ_n Σ_j tanh(c·f_nj·n_j)} with n_j = ‖W_dec[j]‖: adds its gradient in f to df
     * (which then flows through the JumpReLU like the reconstruction's) and its gradient in W_dec (through n_j,
     * {@code ∂n_j/∂W_dec[j] = W_dec[j]/n_j}) to grad.wDec. Returns its value.
     */
    private double tanhPenalty(JumpReLULoss jr, double lambda, SaeParams grad) {
        double c = jr.tanhScale();
        Nio.get(sae.params().wDec(), wDec);
        Parallel.forRange(dSae, 64, (from, to) -> {
            for (int j = from; j < to; j++) {
                blockSum[j] = 0;
                rowScale[j] = 0f;
                double sq = 0;
                for (int d = 0; d < dIn; d++) {
                    sq += (double) wDec[j * dIn + d] * wDec[j * dIn + d];
                }
                norms[j] = (float) Math.sqrt(sq);
            }
            for (int r = 0; r < rows; r++) {
                int o = r * dSae;
                for (int j = from; j < to; j++) {
                    float a = f[o + j];
                    if (a == 0f) {
                        df[o + j] += (float) (lambda * c * norms[j]); // tanh'(0) = 1
                        continue;
                    }
                    double t = Math.tanh(c * a * norms[j]);
                    double sech2 = 1 - t * t;
                    blockSum[j] += t;
                    df[o + j] += (float) (lambda * c * norms[j] * sech2);
                    rowScale[j] += (float) (lambda * c * a * sech2);
                }
            }
        });
        double value = 0;
        for (int j = 0; j < dSae; j++) {
            value += lambda * blockSum[j];
        }
        Nio.get(grad.wDec(), gradWDec);
        Parallel.forRange(dSae, 64, (from, to) -> {
            for (int j = from; j < to; j++) {
                float s = norms[j] > 0f ? rowScale[j] / norms[j] : 0f;
                for (int d = 0; d < dIn; d++) {
                    gradWDec[j * dIn + d] += s * wDec[j * dIn + d];
                }
            }
        });
        Nio.put(grad.wDec(), gradWDec);
        return value;
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
