package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Every backward against central finite differences of the loss on tiny shapes. float32 limits the accuracy of a
 * difference quotient to ~1e-4 at these loss sizes, so the tolerance is |numeric − analytic| ≤ 3e-3 + 3e-2·|analytic|.
 */
class GradientCheckTest {
    static final double EPS = 1e-3;
    static final int ROWS = 6;
    static final int D_IN = 5;
    static final int D_SAE = 9;

    @Test
    void standardReluWithDecoderNormL1() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.Standard());
        Sae sae = perturbedInit(config, 1);
        float[] x = randomInputs(2);
        checkAgainstFiniteDifferences(sae, x, new TrainingLoss(0.7, 0, 0), null);
    }

    @Test
    void standardWithoutDecoderBiasOnInput() {
        SaeConfig base = SaeConfig.of(D_IN, D_SAE, new Architecture.Standard());
        SaeConfig config = new SaeConfig(D_IN, D_SAE, base.architecture(), false, "none", base.metadata());
        checkAgainstFiniteDifferences(perturbedInit(config, 3), randomInputs(4), new TrainingLoss(0.3, 0, 0), null);
    }

    @Test
    void topKReconstruction() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(3));
        checkAgainstFiniteDifferences(perturbedInit(config, 5), randomInputs(6), new TrainingLoss(0, 0, 0), null);
    }

    /**
     * AuxK treats the residual e = x − x̂ as a constant (SAELens detaches it), so its gradient is not the derivative
     * of the reported total. Its analytic part (total gradient minus the reconstruction-only gradient) is checked
     * against finite differences of a direct dense computation of the AuxK term with e frozen.
     */
    @Test
    void auxKWithFrozenResidual() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(2));
        Sae sae = perturbedInit(config, 7);
        float[] x = randomInputs(8);
        boolean[] dead = new boolean[D_SAE];
        dead[1] = dead[4] = dead[5] = dead[8] = true;
        TrainingLoss loss = new TrainingLoss(0, 0.5, 3);

        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        float[] frozenResidual = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            frozenResidual[i] = x[i] - ws.reconstruction()[i];
        }
        SaeParams withAux = SaeParams.zeros(config);
        ws.backward(loss, dead, withAux);
        SaeParams without = SaeParams.zeros(config);
        ws.backward(new TrainingLoss(0, 0, 0), null, without);
        float[] analytic = Nio.get(withAux.flat().sub(without.flat()));

        float[] flat = Nio.get(sae.params().flat());
        for (int i = 0; i < flat.length; i++) {
            float keep = flat[i];
            flat[i] = (float) (keep + EPS);
            double up = directAuxK(config, flat, x, frozenResidual, dead, loss);
            flat[i] = (float) (keep - EPS);
            double down = directAuxK(config, flat, x, frozenResidual, dead, loss);
            flat[i] = keep;
            assertClose(i, (up - down) / (2 * EPS), analytic[i]);
        }
    }

    /** AuxK by its definition, in double, dense: top-kAux pre-activations among dead latents, ReLU, decode, compare. */
    static double directAuxK(SaeConfig c, float[] flat, float[] x, float[] e, boolean[] dead,
                                     TrainingLoss loss) {
        int dIn = c.dIn();
        int dSae = c.dSae();
        int wEnc = 0;
        int bEnc = dIn * dSae;
        int wDec = bEnc + dSae;
        int bDec = wDec + dSae * dIn;
        int nDead = 0;
        for (boolean b : dead) {
            nDead += b ? 1 : 0;
        }
        int kAux = Math.min(loss.kAux(), nDead);
        double sum = 0;
        for (int r = 0; r < x.length / dIn; r++) {
            double[] pre = new double[dSae];
            for (int j = 0; j < dSae; j++) {
                double s = flat[bEnc + j];
                for (int d = 0; d < dIn; d++) {
                    s += (x[r * dIn + d] - flat[bDec + d]) * flat[wEnc + d * dSae + j];
                }
                pre[j] = dead[j] ? s : Double.NEGATIVE_INFINITY;
            }
            double[] eHat = new double[dIn];
            for (int t = 0; t < kAux; t++) {
                int best = 0;
                for (int j = 1; j < dSae; j++) {
                    if (pre[j] > pre[best]) {
                        best = j;
                    }
                }
                double a = Math.max(pre[best], 0);
                pre[best] = Double.NEGATIVE_INFINITY;
                for (int d = 0; d < dIn; d++) {
                    eHat[d] += a * flat[wDec + best * dIn + d];
                }
            }
            for (int d = 0; d < dIn; d++) {
                double diff = eHat[d] - e[r * dIn + d];
                sum += diff * diff;
            }
        }
        double scale = loss.auxKCoefficient() * Math.min((double) nDead / loss.kAux(), 1.0);
        return scale * sum / (x.length / dIn);
    }

    static void checkAgainstFiniteDifferences(Sae sae, float[] x, TrainingLoss loss, boolean[] dead) {
        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        SaeParams grad = SaeParams.zeros(sae.config());
        ws.backward(loss, dead, grad);
        float[] analytic = Nio.get(grad.flat());
        SaeParams scratch = SaeParams.zeros(sae.config());
        long n = sae.params().flat().length();
        for (int i = 0; i < n; i++) {
            float keep = sae.params().flat().getFloat(0, i);
            sae.params().flat().putScalar(0, i, keep + EPS);
            ws.forward();
            double up = ws.backward(loss, dead, scratch).total();
            sae.params().flat().putScalar(0, i, keep - EPS);
            ws.forward();
            double down = ws.backward(loss, dead, scratch).total();
            sae.params().flat().putScalar(0, i, keep);
            assertClose(i, (up - down) / (2 * EPS), analytic[i]);
        }
    }

    static void assertClose(int i, double numeric, double analytic) {
        double tolerance = 3e-3 + 3e-2 * Math.abs(analytic);
        if (Math.abs(numeric - analytic) > tolerance) {
            fail("parameter " + i + ": finite difference " + numeric + " vs backward " + analytic
                    + " (tolerance " + tolerance + ")");
        }
        assertTrue(Double.isFinite(analytic), "parameter " + i + " gradient not finite");
    }

    /** Init plus random biases, so b_enc and b_dec gradients are exercised away from their zero start. */
    static Sae perturbedInit(SaeConfig config, long seed) {
        Sae sae = Sae.initialize(config, seed);
        SplittableRandom random = new SplittableRandom(seed + 100);
        for (int j = 0; j < config.dSae(); j++) {
            sae.params().bEnc().putScalar(0, j, (float) (0.3 * random.nextGaussian()));
        }
        for (int d = 0; d < config.dIn(); d++) {
            sae.params().bDec().putScalar(0, d, (float) (0.3 * random.nextGaussian()));
        }
        return sae;
    }

    static float[] randomInputs(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[ROWS * D_IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
