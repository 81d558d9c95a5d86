package org.sae4j.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The synthetic rows: the SIMD row sum against the plain one, bit for bit, and rows independent of batching. */
class SyntheticSuperpositionTest {

    /**
     * Every length up to three SIMD widths (16 floats with AVX-512) and past, at offsets that are not multiples of the
     * width; then one long row often enough that C2 compiles the SIMD body, which must still give the same bits.
     */
    @Test
    void simdScaledAddGivesThePlainLoopsBits() {
        // surefire.argLine adds jdk.incubator.vector; only a run without it (the fuzz execution) has no SIMD body
        assumeTrue(SyntheticSuperposition.SIMD, "no jdk.incubator.vector in this JVM");
        SplittableRandom random = new SplittableRandom(5);
        for (int n = 0; n <= 51; n++) {
            float[] src = new float[n + 3];
            float[] plain = new float[n + 5];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < plain.length; i++) {
                plain[i] = (float) random.nextGaussian();
            }
            float[] simd = plain.clone();
            // a scale with all 53 bits in use, so that rounding the double product to float matters
            double scale = 0.5 + random.nextDouble();
            SyntheticSuperposition.addScaled(plain, 2, scale, src, 3 - n % 3, n);
            VectorScaledAdd.addScaled(simd, 2, scale, src, 3 - n % 3, n);
            assertArrayEquals(plain, simd, "n=" + n);
        }
        float[] src = new float[771];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) random.nextGaussian();
        }
        float[] plain = new float[770];
        float[] simd = new float[770];
        for (int round = 0; round < 20_000; round++) {
            double scale = 0.5 + random.nextDouble();
            SyntheticSuperposition.addScaled(plain, 1, scale, src, 3, 768);
            VectorScaledAdd.addScaled(simd, 1, scale, src, 3, 768);
        }
        assertArrayEquals(plain, simd, "after 20,000 compiled rounds");
    }

    /** A batch of rows is the same whether made at once or in pieces (each row has its own random stream). */
    @Test
    void rowsDoNotDependOnBatching() {
        SyntheticConfig config = new SyntheticConfig(37, 200, 6.0, 0.5, 0.5, 1.5, 3, 4, 0.2, 0.01, 9);
        SyntheticSuperposition whole = new SyntheticSuperposition(config);
        float[] all = new float[50 * 37];
        whole.next(all, 50);
        SyntheticSuperposition pieces = new SyntheticSuperposition(config);
        float[] first = new float[20 * 37];
        float[] rest = new float[30 * 37];
        pieces.next(first, 20);
        pieces.next(rest, 30);
        float[] joined = new float[all.length];
        System.arraycopy(first, 0, joined, 0, first.length);
        System.arraycopy(rest, 0, joined, first.length, rest.length);
        assertArrayEquals(all, joined);
        double energy = 0;
        for (float v : all) {
            energy += v * v;
        }
        assertTrue(energy > 0, "rows are not all zero");
    }
}
