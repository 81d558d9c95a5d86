package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.kernels.Nio;

/**
 * A workspace built with the tangent projection gives, bit for bit, the gradient of one without it followed by
 * {@link Sae#removeParallelDecoderGrad}: the sparse passes fuse the projection into their backward, the others run
 * it after.
 */
class TangentDecoderGradTest {
    private static final int ROWS = 37;
    private static final int D_IN = 19;
    private static final int D_SAE = 150; // three tiles of the backward, the last short

    @Test
    void topKFusedProjectionIsTheSeparateOne() {
        assertSameGradient(new Architecture.TopK(5));
    }

    @Test
    void batchTopKFusedProjectionIsTheSeparateOne() {
        assertSameGradient(new Architecture.BatchTopK(5));
    }

    @Test
    void matryoshkaFusedProjectionIsTheSeparateOne() {
        assertSameGradient(new Architecture.MatryoshkaBatchTopK(5, java.util.List.of(40, 100, D_SAE)));
    }

    @Test
    void standardProjectionAfterTheBackward() {
        assertSameGradient(new Architecture.Standard());
    }

    private static void assertSameGradient(Architecture architecture) {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, architecture);
        Sae sae = Sae.initialize(config, 3);
        SaeWorkspace plain = new SaeWorkspace(sae, ROWS);
        SaeWorkspace tangent = new SaeWorkspace(sae, ROWS, true);
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < ROWS * D_IN; i++) {
            float x = (float) random.nextGaussian();
            plain.input()[i] = x;
            tangent.input()[i] = x;
        }
        boolean[] dead = new boolean[D_SAE];
        for (int j = 0; j < D_SAE; j += 7) {
            dead[j] = true; // AuxK runs too
        }
        TrainingLoss loss = new TrainingLoss(0, 1.0 / 32, D_IN / 2);
        SaeParams expected = SaeParams.zeros(config);
        plain.forward();
        plain.backward(loss, dead, expected);
        sae.removeParallelDecoderGrad(expected);
        SaeParams fused = SaeParams.zeros(config);
        tangent.forward();
        tangent.backward(loss, dead, fused);
        assertArrayEquals(Nio.get(expected.flat()), Nio.get(fused.flat()), architecture + ": gradient");
    }
}
