package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sae4j.dictionary.GradientCheckTest.D_IN;
import static org.sae4j.dictionary.GradientCheckTest.D_SAE;
import static org.sae4j.dictionary.GradientCheckTest.EPS;
import static org.sae4j.dictionary.GradientCheckTest.ROWS;
import static org.sae4j.dictionary.GradientCheckTest.assertClose;
import static org.sae4j.dictionary.GradientCheckTest.checkAgainstFiniteDifferences;
import static org.sae4j.dictionary.GradientCheckTest.perturbedInit;
import static org.sae4j.dictionary.GradientCheckTest.randomInputs;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.kernels.Nio;

/**
 * The backward of JumpReLU, BatchTopK and Matryoshka BatchTopK, in {@link GradientCheckTest}'s way and tolerance
 * (central differences with h = 1e-3 on tiny shapes). Where the gradient is a true derivative it is checked by finite
 * differences, on fixtures whose pre-activations stay further than a margin from every threshold and every
 * selection cut, so the perturbations never switch a latent. JumpReLU's threshold gradient is the straight-through
 * estimator's pseudo-gradient, not a derivative (the loss is piecewise constant in θ): it is checked against a
 * direct double-precision computation of its formula from Rajamanoharan et al. 2024 / SAELens.
 */
class ArchitectureGradientTest {
    /** No pre-activation within this of a switch point: h = 1e-3 moves a pre-activation by under 1e-2 here. */
    private static final double MARGIN = 0.02;

    // ---- JumpReLU ----

    @Test
    void jumpReluTanhPenaltyTrueGradients() {
        JumpReLULoss jr = new JumpReLULoss(0.4, 0.8, JumpReLULoss.Mode.TANH, 2.5);
        checkJumpRelu(jr, 11);
    }

    @Test
    void jumpReluStepPenaltyTrueGradients() {
        JumpReLULoss jr = new JumpReLULoss(0.6, 0.8, JumpReLULoss.Mode.STEP, 4);
        checkJumpRelu(jr, 13);
    }

    @Test
    void jumpReluWithoutPenaltyIsReconstructionAlone() {
        checkJumpRelu(new JumpReLULoss(0, 0.8, JumpReLULoss.Mode.STEP, 4), 17);
    }

    private static void checkJumpRelu(JumpReLULoss jr, long seed) {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.JumpReLU());
        Sae sae = perturbedInit(config, seed);
        // Decoder rows of varied norms (the tanh penalty reads them); each θ_j the candidate in [0.05, 0.45]
        // furthest from latent j's pre-activations (and from its window's edges), so no perturbation switches it.
        SplittableRandom random = new SplittableRandom(seed + 7);
        sae.params().wEnc().muli(1 / Sae.JUMPRELU_ENCODER_INIT_NORM); // pre-activations of order 1, not 0.1
        for (int j = 0; j < D_SAE; j++) {
            sae.params().wDec().getRow(j).muli(0.5 + random.nextDouble());
        }
        float[] x = randomInputs(seed + 1);
        TrainingLoss loss = new TrainingLoss(0, 0, 0, jr, 0);
        double[][] pre = preActivations(sae, x);
        for (int j = 0; j < D_SAE; j++) {
            double best = 0;
            double bestGap = -1;
            for (double t = 0.05; t <= 0.45; t += 0.005) {
                double gap = Double.MAX_VALUE;
                for (int r = 0; r < ROWS; r++) {
                    double dist = Math.abs(pre[r][j] - t);
                    gap = Math.min(gap, Math.min(dist, 10 * Math.abs(dist - jr.bandwidth() / 2)));
                }
                if (gap > bestGap) {
                    bestGap = gap;
                    best = t;
                }
            }
            sae.params().threshold().putScalar(0, j, (float) best);
        }
        float[] theta = Nio.get(sae.params().threshold());
        int inWindow = 0;
        int active = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D_SAE; j++) {
                assertTrue(Math.abs(pre[r][j] - theta[j]) > MARGIN,
                        "fixture: pre-activation (" + r + ", " + j + ") = " + pre[r][j] + " is within " + MARGIN
                                + " of θ = " + theta[j] + "; change the seed");
                inWindow += JumpReLULoss.inWindow((float) pre[r][j], theta[j], jr.bandwidth()) ? 1 : 0;
                active += pre[r][j] > theta[j] ? 1 : 0;
            }
        }
        assertTrue(inWindow >= 3 && active >= 5, "fixture exercises the STE window (" + inWindow + ") and active"
                + " latents (" + active + ")");

        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        SaeParams grad = SaeParams.zeros(config);
        TrainingLoss.Parts parts = ws.backward(loss, null, grad);
        float[] analytic = Nio.get(grad.flat());
        int thresholdFrom = (int) (config.parameterCount() - D_SAE);

        // The true gradients: every parameter but θ, by central differences of the reported total.
        SaeParams scratch = SaeParams.zeros(config);
        for (int i = 0; i < thresholdFrom; i++) {
            float keep = sae.params().flat().getFloat(0, i);
            sae.params().flat().putScalar(0, i, keep + EPS);
            ws.forward();
            double up = ws.backward(loss, null, scratch).total();
            sae.params().flat().putScalar(0, i, keep - EPS);
            ws.forward();
            double down = ws.backward(loss, null, scratch).total();
            sae.params().flat().putScalar(0, i, keep);
            assertClose(i, (up - down) / (2 * EPS), analytic[i]);
        }
        // The reported loss is the loss by definition, computed directly.
        assertEquals(directLoss(sae, x, jr), parts.total(), 1e-4 * Math.max(1, parts.total()), "loss value");
        // θ: the straight-through pseudo-gradient, by its formula.
        double[] expected = steThresholdGrad(sae, x, jr);
        for (int j = 0; j < D_SAE; j++) {
            double a = analytic[thresholdFrom + j];
            assertEquals(expected[j], a, 1e-5 + 1e-4 * Math.abs(expected[j]), "dθ[" + j + "] vs the STE formula");
        }
        assertTrue(Arrays.stream(expected).anyMatch(v -> Math.abs(v) > 1e-3), "some θ gradient is non-zero");
    }

    /** pre = (x − b_dec)·W_enc + b_enc, in double; [rows][dSae]. */
    private static double[][] preActivations(Sae sae, float[] x) {
        float[] wEnc = Nio.get(sae.params().wEnc());
        float[] bEnc = Nio.get(sae.params().bEnc());
        float[] bDec = Nio.get(sae.params().bDec());
        double[][] pre = new double[ROWS][D_SAE];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double s = bEnc[j];
                for (int d = 0; d < D_IN; d++) {
                    s += ((double) x[r * D_IN + d] - bDec[d]) * wEnc[d * D_SAE + j];
                }
                pre[r][j] = s;
            }
        }
        return pre;
    }

    /** f = relu(pre)·H(pre − θ) and x̂ = f·W_dec + b_dec, in double. */
    private static double[][][] codesAndReconstruction(Sae sae, float[] x) {
        double[][] pre = preActivations(sae, x);
        float[] theta = Nio.get(sae.params().threshold());
        float[] wDec = Nio.get(sae.params().wDec());
        float[] bDec = Nio.get(sae.params().bDec());
        double[][] f = new double[ROWS][D_SAE];
        double[][] xHat = new double[ROWS][D_IN];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D_SAE; j++) {
                f[r][j] = pre[r][j] > theta[j] && pre[r][j] > 0 ? pre[r][j] : 0;
            }
            for (int d = 0; d < D_IN; d++) {
                double s = bDec[d];
                for (int j = 0; j < D_SAE; j++) {
                    s += f[r][j] * wDec[j * D_IN + d];
                }
                xHat[r][d] = s;
            }
        }
        return new double[][][] {pre, f, xHat};
    }

    private static double[] rowNorms(Sae sae) {
        float[] wDec = Nio.get(sae.params().wDec());
        double[] n = new double[D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            double s = 0;
            for (int d = 0; d < D_IN; d++) {
                s += (double) wDec[j * D_IN + d] * wDec[j * D_IN + d];
            }
            n[j] = Math.sqrt(s);
        }
        return n;
    }

    /** mean_n ‖x̂_n − x_n‖² + λ·mean_n Σ_j (H(pre − θ) or tanh(c·f·‖W_dec[j]‖)). */
    private static double directLoss(Sae sae, float[] x, JumpReLULoss jr) {
        double[][][] c = codesAndReconstruction(sae, x);
        float[] theta = Nio.get(sae.params().threshold());
        double[] norms = rowNorms(sae);
        double total = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int d = 0; d < D_IN; d++) {
                double diff = c[2][r][d] - x[r * D_IN + d];
                total += diff * diff;
            }
            for (int j = 0; j < D_SAE; j++) {
                total += jr.l0Coefficient() * (jr.mode() == JumpReLULoss.Mode.STEP
                        ? (c[0][r][j] > theta[j] ? 1 : 0)
                        : Math.tanh(jr.tanhScale() * c[1][r][j] * norms[j]));
            }
        }
        return total / ROWS;
    }

    /**
     * dθ_j = Σ_n −(θ_j/ε)·rect((pre_nj − θ_j)/ε)·∂L/∂f_nj, with ∂L/∂f_nj = (2/N)(x̂_n − x_n)·W_dec[j] (+ the tanh
     * penalty's (λ/N)·c·‖W_dec[j]‖·sech²(c·f_nj·‖W_dec[j]‖)), plus for the step penalty Σ_n −(λ/N)(1/ε)·rect(…).
     */
    private static double[] steThresholdGrad(Sae sae, float[] x, JumpReLULoss jr) {
        double[][][] c = codesAndReconstruction(sae, x);
        float[] theta = Nio.get(sae.params().threshold());
        float[] wDec = Nio.get(sae.params().wDec());
        double[] norms = rowNorms(sae);
        double eps = jr.bandwidth();
        double lambda = jr.l0Coefficient();
        double[] grad = new double[D_SAE];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double u = (c[0][r][j] - theta[j]) / eps;
                if (!(u > -0.5 && u < 0.5)) {
                    continue;
                }
                double dF = 0;
                for (int d = 0; d < D_IN; d++) {
                    dF += 2.0 / ROWS * (c[2][r][d] - x[r * D_IN + d]) * wDec[j * D_IN + d];
                }
                if (jr.mode() == JumpReLULoss.Mode.TANH) {
                    double t = Math.tanh(jr.tanhScale() * c[1][r][j] * norms[j]);
                    dF += lambda / ROWS * jr.tanhScale() * norms[j] * (1 - t * t);
                } else {
                    grad[j] += -lambda / ROWS / eps;
                }
                grad[j] += -(theta[j] / eps) * dF;
            }
        }
        return grad;
    }

    // ---- BatchTopK and Matryoshka ----

    @Test
    void batchTopKReconstruction() {
        checkBatchTopK(new Architecture.BatchTopK(2), 21);
    }

    @Test
    void matryoshkaNestedReconstructions() {
        checkBatchTopK(new Architecture.MatryoshkaBatchTopK(2, List.of(3, 5, D_SAE)), 23);
    }

    /** The first seed from {@code seed} on whose batch cut is clear by the margin (a fixed search: deterministic). */
    private static void checkBatchTopK(Architecture a, long seed) {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, a);
        for (long s = seed; s < seed + 100; s++) {
            Sae sae = perturbedInit(config, s);
            float[] x = randomInputs(s + 1);
            if (selectionMargin(sae, x, 2 * ROWS) > MARGIN) {
                checkAgainstFiniteDifferences(sae, x, new TrainingLoss(0, 0, 0), null);
                return;
            }
        }
        throw new AssertionError("no fixture with a clear cut among 100 seeds");
    }

    /** By how much the kept entries beat the first dropped one (and 0). */
    private static double selectionMargin(Sae sae, float[] x, int keep) {
        double[] all = Arrays.stream(preActivations(sae, x)).flatMapToDouble(Arrays::stream).sorted().toArray();
        int n = all.length;
        double kth = all[n - keep];
        return Math.min(kth - all[n - keep - 1], kth);
    }

    @Test
    void matryoshkaInnerLossIsEachPrefixReconstruction() {
        List<Integer> widths = List.of(3, 5, D_SAE);
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.MatryoshkaBatchTopK(2, widths));
        Sae sae = perturbedInit(config, 23);
        float[] x = randomInputs(24);
        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        TrainingLoss.Parts parts = ws.backward(new TrainingLoss(0, 0, 0), null, SaeParams.zeros(config));
        double[][] f = new double[ROWS][D_SAE];
        ws.forEachActive((r, j, v) -> f[r][j] = v);
        float[] wDec = Nio.get(sae.params().wDec());
        float[] bDec = Nio.get(sae.params().bDec());
        double[] perLevel = new double[widths.size()];
        for (int m = 0; m < widths.size(); m++) {
            for (int r = 0; r < ROWS; r++) {
                for (int d = 0; d < D_IN; d++) {
                    double s = bDec[d];
                    for (int j = 0; j < widths.get(m); j++) {
                        s += f[r][j] * wDec[j * D_IN + d];
                    }
                    perLevel[m] += (s - x[r * D_IN + d]) * (s - x[r * D_IN + d]) / ROWS;
                }
            }
        }
        assertEquals(perLevel[2], parts.mse(), 1e-5, "mse is the full reconstruction's");
        assertEquals(perLevel[0] + perLevel[1], parts.innerMse(), 1e-5, "innerMse sums the inner prefixes'");
        int l0 = 0;
        for (int r = 0; r < ROWS; r++) {
            l0 += ws.l0(r);
        }
        assertEquals(2 * ROWS, l0, "k·rows latents kept over the batch");
    }

    /** AuxK with BatchTopK: the same frozen-residual check as TopK's. */
    @Test
    void batchTopKAuxKWithFrozenResidual() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.BatchTopK(2));
        Sae sae = perturbedInit(config, 29);
        float[] x = randomInputs(30);
        boolean[] dead = new boolean[D_SAE];
        dead[0] = dead[3] = dead[6] = dead[7] = true;
        TrainingLoss loss = new TrainingLoss(0, 0.5, 3);
        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        float[] frozenResidual = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            frozenResidual[i] = x[i] - ws.reconstruction()[i];
        }
        SaeParams withAux = SaeParams.zeros(config);
        TrainingLoss.Parts parts = ws.backward(loss, dead, withAux);
        SaeParams without = SaeParams.zeros(config);
        ws.backward(new TrainingLoss(0, 0, 0), null, without);
        float[] analytic = Nio.get(withAux.flat().sub(without.flat()));
        float[] flat = Nio.get(sae.params().flat());
        assertEquals(GradientCheckTest.directAuxK(config, flat, x, frozenResidual, dead, loss), parts.auxK(), 1e-5,
                "AuxK value");
        for (int i = 0; i < flat.length - D_SAE; i++) {
            float keep = flat[i];
            flat[i] = (float) (keep + EPS);
            double up = GradientCheckTest.directAuxK(config, flat, x, frozenResidual, dead, loss);
            flat[i] = (float) (keep - EPS);
            double down = GradientCheckTest.directAuxK(config, flat, x, frozenResidual, dead, loss);
            flat[i] = keep;
            assertClose(i, (up - down) / (2 * EPS), analytic[i]);
        }
    }

    /** θ ← (1 − lr)·θ + lr·(smallest kept activation), every latent the same; its gradient is zero. */
    @Test
    void batchTopKThresholdIsAnEmaOfTheSmallestKeptActivation() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.BatchTopK(2));
        Sae sae = perturbedInit(config, 31);
        sae.params().threshold().assign(0.25f);
        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(randomInputs(32), 0, ws.input(), 0, ROWS * D_IN);
        ws.forward();
        double[] min = {Double.MAX_VALUE};
        ws.forEachActive((r, j, v) -> min[0] = Math.min(min[0], v));
        SaeParams grad = SaeParams.zeros(config);
        grad.threshold().assign(7f);
        ws.backward(new TrainingLoss(0, 0, 0, JumpReLULoss.NONE, 0.1), null, grad);
        float expected = (float) (0.9 * 0.25f + 0.1 * (float) min[0]);
        for (int j = 0; j < D_SAE; j++) {
            assertEquals(expected, sae.params().threshold().getFloat(0, j), 0f, "θ[" + j + "]");
            assertEquals(0f, grad.threshold().getFloat(0, j), 0f, "the threshold's gradient is zero");
        }
    }
}
