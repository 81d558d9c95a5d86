package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.kernels.Nio;

/**
 * The gated backward ({@link GatedPass}) against central finite differences of {@link #reference}, a plain
 * double-precision transcription of the gated loss written from its definition, not from the pass.
 *
 * <p>The auxiliary term reconstructs through a stop-gradient copy of the decoder, so the gradient the pass computes
 * is not the derivative of the loss it reports with respect to W_dec and b_dec. The reference therefore takes the
 * frozen decoder as separate arguments held at the unperturbed values: its finite differences are then the gradient
 * with the stop-gradient respected, for every parameter. The Heaviside gate has zero derivative away from its step;
 * the fixture asserts every π_gate and π_mag lies well away from 0 so no perturbation crosses a step.
 *
 * <p>Tolerance: the differences are taken in double with step 1e-4, so their error is ~1e-8; the backward is float32
 * over sums of a few dozen terms. |numeric − analytic| ≤ 1e-4 + 1e-3·|analytic|.
 */
class GatedGradientCheckTest {
    private static final double EPS = 1e-4;
    private static final double MARGIN = 1e-3; // ≥ 3× the most a step of EPS moves any π here
    private static final int ROWS = 6;
    private static final int D_IN = 5;
    private static final int D_SAE = 9;

    @Test
    void gatedBackwardMatchesFiniteDifferencesWithFrozenAuxiliaryDecoder() {
        check(SaeConfig.of(D_IN, D_SAE, new Architecture.Gated()), 0.7, 11);
    }

    @Test
    void gatedWithoutDecoderBiasOnInput() {
        SaeConfig base = SaeConfig.of(D_IN, D_SAE, new Architecture.Gated());
        check(new SaeConfig(D_IN, D_SAE, base.architecture(), false, "none", base.metadata()), 0.3, 22);
    }

    @Test
    void gatedWithoutSparsityPenalty() {
        check(SaeConfig.of(D_IN, D_SAE, new Architecture.Gated()), 0, 23);
    }

    /**
     * The auxiliary term moves no decoder weight: the W_dec gradient equals that of reconstruction + sparsity alone,
     * which is not the derivative of the reported total (the auxiliary term does depend on W_dec).
     */
    @Test
    void auxiliaryTermLeavesTheDecoderAlone() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.Gated());
        Sae sae = fixture(config, 14);
        float[] x = inputs(15);
        SaeWorkspace ws = run(sae, x);
        SaeParams grad = SaeParams.zeros(config);
        ws.backward(new TrainingLoss(0.5, 0, 0), null, grad);
        float[] analytic = Nio.get(grad.wDec());
        double[] p = toDouble(Nio.get(sae.params().flat()));
        Layout l = new Layout(D_IN, D_SAE);
        double maxAuxDerivative = 0;
        for (int i = 0; i < D_SAE * D_IN; i++) {
            int at = l.wDec + i;
            double keep = p[at];
            p[at] = keep + EPS;
            double[] up = reference(l, p, p, x, 0.5, config.applyBDecToInput());
            p[at] = keep - EPS;
            double[] down = reference(l, p, p, x, 0.5, config.applyBDecToInput());
            p[at] = keep;
            double withoutAux = ((up[0] + up[1]) - (down[0] + down[1])) / (2 * EPS);
            assertClose("W_dec[" + i + "] (reconstruction + sparsity only)", withoutAux, analytic[i]);
            maxAuxDerivative = Math.max(maxAuxDerivative, Math.abs((up[2] - down[2]) / (2 * EPS)));
        }
        assertTrue(maxAuxDerivative > 1e-2, "the fixture's auxiliary term must depend on W_dec for this test to mean"
                + " anything (max |d aux / d W_dec| = " + maxAuxDerivative + ")");
    }

    private static void check(SaeConfig config, double lambda, long seed) {
        Sae sae = fixture(config, seed);
        float[] x = inputs(seed + 1);
        SaeWorkspace ws = run(sae, x);
        SaeParams grad = SaeParams.zeros(config);
        TrainingLoss.Parts parts = ws.backward(new TrainingLoss(lambda, 0, 0), null, grad);
        float[] analytic = Nio.get(grad.flat());

        Layout l = new Layout(D_IN, D_SAE);
        double[] p = toDouble(Nio.get(sae.params().flat()));
        double[] frozen = p.clone();
        boolean centre = config.applyBDecToInput();
        double[] value = reference(l, p, frozen, x, lambda, centre);
        assertEquals(value[0], parts.mse(), 1e-5 * (1 + value[0]), "mse");
        assertEquals(value[1], parts.sparsity(), 1e-5 * (1 + value[1]), "sparsity");
        assertEquals(value[2], parts.auxK(), 1e-5 * (1 + value[2]), "auxiliary reconstruction");
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + EPS;
            double up = sum(reference(l, p, frozen, x, lambda, centre));
            p[i] = keep - EPS;
            double down = sum(reference(l, p, frozen, x, lambda, centre));
            p[i] = keep;
            assertClose(l.name(i), (up - down) / (2 * EPS), analytic[i]);
        }
    }

    /** Offsets of the gated tensors in the flat vector, in {@link SaeParams#layout} order. */
    private record Layout(int dIn, int dSae, int wEnc, int bGate, int rMag, int bMag, int wDec, int bDec) {
        Layout(int dIn, int dSae) {
            this(dIn, dSae, 0, dIn * dSae, dIn * dSae + dSae, dIn * dSae + 2 * dSae, dIn * dSae + 3 * dSae,
                    2 * dIn * dSae + 3 * dSae);
        }

        String name(int i) {
            String[] names = {"W_enc", "b_gate", "r_mag", "b_mag", "W_dec", "b_dec"};
            int[] starts = {wEnc, bGate, rMag, bMag, wDec, bDec};
            for (int t = starts.length - 1; t >= 0; t--) {
                if (i >= starts[t]) {
                    return names[t] + "[" + (i - starts[t]) + "]";
                }
            }
            throw new AssertionError(i);
        }
    }

    /**
     * The gated loss by its definition, in double: {mse, sparsity, auxiliary}. {@code frozen} supplies W_dec and
     * b_dec of the auxiliary reconstruction (the stop-gradient copies); everything else comes from {@code p}.
     */
    private static double[] reference(Layout l, double[] p, double[] frozen, float[] x, double lambda,
                                      boolean centre) {
        int dIn = l.dIn();
        int dSae = l.dSae();
        int rows = x.length / dIn;
        double mse = 0;
        double sparsity = 0;
        double aux = 0;
        for (int r = 0; r < rows; r++) {
            double[] xHat = new double[dIn];
            double[] viaGate = new double[dIn];
            for (int d = 0; d < dIn; d++) {
                xHat[d] = p[l.bDec() + d];
                viaGate[d] = frozen[l.bDec() + d];
            }
            for (int j = 0; j < dSae; j++) {
                double gate = p[l.bGate() + j];
                double mag = p[l.bMag() + j];
                double scale = Math.exp(p[l.rMag() + j]);
                for (int d = 0; d < dIn; d++) {
                    double xc = x[r * dIn + d] - (centre ? p[l.bDec() + d] : 0);
                    double w = p[l.wEnc() + d * dSae + j];
                    gate += xc * w;
                    mag += xc * w * scale;
                }
                double f = gate > 0 ? Math.max(mag, 0) : 0;
                double a = Math.max(gate, 0);
                double norm = 0;
                for (int d = 0; d < dIn; d++) {
                    double w = p[l.wDec() + j * dIn + d];
                    norm += w * w;
                    xHat[d] += f * w;
                    viaGate[d] += a * frozen[l.wDec() + j * dIn + d];
                }
                sparsity += lambda * a * Math.sqrt(norm);
            }
            for (int d = 0; d < dIn; d++) {
                double e = xHat[d] - x[r * dIn + d];
                double ea = viaGate[d] - x[r * dIn + d];
                mse += e * e;
                aux += ea * ea;
            }
        }
        return new double[] {mse / rows, sparsity / rows, aux / rows};
    }

    private static double sum(double[] parts) {
        return parts[0] + parts[1] + parts[2];
    }

    private static SaeWorkspace run(Sae sae, float[] x) {
        SaeWorkspace ws = new SaeWorkspace(sae, ROWS);
        System.arraycopy(x, 0, ws.input(), 0, x.length);
        ws.forward();
        return ws;
    }

    /**
     * Init, then random biases and log scales so every gated parameter is exercised away from its zero start;
     * weights scaled down so pre-activations do not drown the biases (else gate and magnitude always agree in sign). Asserts the gates and magnitudes
     * sit at least {@link #MARGIN} from their steps, with both sides of each step represented.
     */
    private static Sae fixture(SaeConfig config, long seed) {
        Sae sae = Sae.initialize(config, seed);
        SaeParams p = sae.params();
        p.wDec().muli(0.5); // from unit rows and columns to norm 0.5: the biases still matter
        p.wEnc().muli(0.5);
        SplittableRandom random = new SplittableRandom(seed + 100);
        for (String name : new String[] {"b_gate", "r_mag", "b_mag"}) {
            for (int j = 0; j < config.dSae(); j++) {
                p.tensor(name).putScalar(0, j, (float) (0.3 * random.nextGaussian()));
            }
        }
        for (int d = 0; d < config.dIn(); d++) {
            p.bDec().putScalar(0, d, (float) (0.3 * random.nextGaussian()));
        }
        requireMargins(sae, inputs(seed + 1));
        return sae;
    }

    private static void requireMargins(Sae sae, float[] x) {
        Layout l = new Layout(D_IN, D_SAE);
        double[] p = toDouble(Nio.get(sae.params().flat()));
        int gatesOn = 0;
        int gatesOff = 0;
        int magsOff = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double pre = 0;
                for (int d = 0; d < D_IN; d++) {
                    double xc = x[r * D_IN + d] - (sae.config().applyBDecToInput() ? p[l.bDec() + d] : 0);
                    pre += xc * p[l.wEnc() + d * D_SAE + j];
                }
                double gate = pre + p[l.bGate() + j];
                double mag = pre * Math.exp(p[l.rMag() + j]) + p[l.bMag() + j];
                if (Math.abs(gate) < MARGIN || Math.abs(mag) < MARGIN) {
                    fail("fixture row " + r + " latent " + j + " has π_gate " + gate + ", π_mag " + mag
                            + " within " + MARGIN + " of a step; change the seed");
                }
                gatesOn += gate > 0 ? 1 : 0;
                gatesOff += gate > 0 ? 0 : 1;
                magsOff += gate > 0 && mag <= 0 ? 1 : 0;
            }
        }
        assertTrue(gatesOn >= 5 && gatesOff >= 5 && magsOff >= 1, "the fixture must open and close gates and have an"
                + " open gate with a negative magnitude (on " + gatesOn + ", off " + gatesOff + ", open but"
                + " negative " + magsOff + ")");
    }

    private static float[] inputs(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[ROWS * D_IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static void assertClose(String what, double numeric, double analytic) {
        double tolerance = 1e-4 + 1e-3 * Math.abs(analytic);
        if (!(Math.abs(numeric - analytic) <= tolerance)) {
            fail(what + ": finite difference " + numeric + " vs backward " + analytic + " (tolerance " + tolerance
                    + ")");
        }
    }
}
