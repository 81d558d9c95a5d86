package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/** Seeded inputs and tolerance checks shared by the kernel tests. */
final class TestData {
    private TestData() {
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** A native (direct, little-endian) copy of {@code a}, as the kernels see ND4J's buffers. */
    static ByteBuffer direct(float[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        return b;
    }

    static float[] floats(ByteBuffer b) {
        float[] a = new float[b.capacity() / 4];
        b.asFloatBuffer().get(a);
        return a;
    }

    static float[] floats(FloatBuffer b) {
        float[] a = new float[b.capacity()];
        b.get(0, a);
        return a;
    }

    /** |actual − expected| ≤ tol · max(1, |expected|) elementwise, naming the first element that fails. */
    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }
}
