package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.kernels.Nio;

/**
 * {@link SaeWorkspace#gradientKnownFinite}: the sparse backwards (TopK, BatchTopK, Matryoshka) vouch for a finite
 * gradient (so the trainer skips its own pass over it) and never for one holding a NaN or an infinity; the
 * architectures that do not check say so.
 */
class GradientFinitenessTest {
    private static final int ROWS = 9;
    private static final int D_IN = 11;
    private static final int D_SAE = 150;

    @Test
    void topKVouchesExactlyForFiniteGradients() {
        assertVouchesExactlyForFiniteGradients(new Architecture.TopK(5));
    }

    @Test
    void batchTopKVouchesExactlyForFiniteGradients() {
        assertVouchesExactlyForFiniteGradients(new Architecture.BatchTopK(5));
    }

    @Test
    void matryoshkaVouchesExactlyForFiniteGradients() {
        assertVouchesExactlyForFiniteGradients(new Architecture.MatryoshkaBatchTopK(5, java.util.List.of(30, D_SAE)));
    }

    private static void assertVouchesExactlyForFiniteGradients(Architecture architecture) {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, architecture);
        SaeWorkspace w = new SaeWorkspace(Sae.initialize(config, 3), ROWS, true);
        SaeParams grad = SaeParams.zeros(config);
        assertEquals(true, backward(w, grad, 1f), "finite");
        assertEquals(true, allFinite(Nio.get(grad.flat())));
        // An input of 1e30 gives finite floats in the forward (the loss is summed in double) but a gradient whose
        // products overflow float: the check sees the infinities the plain loss test would miss.
        assertEquals(false, backward(w, grad, 1e30f), "overflowing");
        assertEquals(false, allFinite(Nio.get(grad.flat())));
        assertEquals(true, backward(w, grad, 1f), "finite again");
    }

    @Test
    void standardDoesNotCheck() {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.Standard());
        SaeWorkspace w = new SaeWorkspace(Sae.initialize(config, 3), ROWS, true);
        assertEquals(false, backward(w, SaeParams.zeros(config), 1f));
    }

    private static boolean backward(SaeWorkspace w, SaeParams grad, float scale) {
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < ROWS * D_IN; i++) {
            w.input()[i] = scale * (float) random.nextGaussian();
        }
        w.forward();
        w.backward(new TrainingLoss(0, 1.0 / 32, D_IN / 2), null, grad);
        return w.gradientKnownFinite();
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
