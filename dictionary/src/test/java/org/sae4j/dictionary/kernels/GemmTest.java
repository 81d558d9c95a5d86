package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The bound product against {@code Nd4j.gemm}, bit for bit, on odd sizes, every transposition, and views. */
class GemmTest {
    private static final int[][] SIZES = {{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {130, 257, 96}, {3, 1000, 31}};

    @Test
    void matchesNd4jGemmBitwiseForEveryTranspositionAndOddSizes() {
        long seed = 1;
        for (int[] s : SIZES) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    // Every operand a view at an offset into a larger buffer, as the SAE's parameters are.
                    INDArray a = viewAt(5, transA ? k : m, transA ? m : k, seed++);
                    INDArray b = viewAt(3, transB ? n : k, transB ? k : n, seed++);
                    INDArray c = viewAt(7, m, n, seed++);
                    INDArray expected = Nd4j.create(DataType.FLOAT, m, n);
                    Nd4j.gemm(a, b, expected, transA, transB, 1.0, 0.0);
                    c.assign(Float.NaN); // beta 0: what was in c must not leak into the product
                    Gemm.of(a, b, c, transA, transB).run();
                    String what = m + "×" + n + "×" + k + " transA " + transA + " transB " + transB;
                    float[] got = c.dup().data().asFloat();
                    assertArrayEquals(expected.data().asFloat(), got, 0f, what);
                    assertTrue(allFinite(got), what);
                }
            }
        }
    }

    @Test
    void aBoundProductSeesTheArraysCurrentContents() {
        INDArray a = noise(6, 4, 11);
        INDArray b = noise(4, 9, 12);
        INDArray c = Nd4j.create(DataType.FLOAT, 6, 9);
        Gemm product = Gemm.of(a, b, c, false, false);
        product.run();
        a.assign(noise(6, 4, 13));
        product.run();
        INDArray expected = Nd4j.create(DataType.FLOAT, 6, 9);
        Nd4j.gemm(a, b, expected, false, false, 1.0, 0.0);
        assertArrayEquals(expected.data().asFloat(), c.data().asFloat(), 0f);
    }

    @Test
    void refusesShapesThatDoNotFit() {
        INDArray a = Nd4j.create(DataType.FLOAT, 6, 4);
        INDArray b = Nd4j.create(DataType.FLOAT, 5, 9);
        INDArray c = Nd4j.create(DataType.FLOAT, 6, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemm.of(a, b, c, false,
                false));
        assertEquals("gemm shapes do not fit: op(a) 6×4, op(b) 5×9, c 6×9", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemm.of(a, b.reshape('c', 9, 5), c, false, false));
        assertThrows(IllegalArgumentException.class, () -> Gemm.of(a, a, c, false, true)); // c must be 6×6
        assertThrows(IllegalArgumentException.class, () -> Gemm.of(Nd4j.create(DataType.FLOAT, 4), b, c, false,
                false)); // a vector is not a matrix
    }

    @Test
    void aCallAllocatesNothingOnTheHeap() {
        INDArray a = noise(64, 32, 21);
        INDArray b = noise(32, 48, 22);
        INDArray c = Nd4j.create(DataType.FLOAT, 64, 48);
        Gemm product = Gemm.of(a, b, c, false, false);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2_000; i++) {
            product.run(); // first calls load and link the native method
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int calls = 10_000;
        for (int i = 0; i < calls; i++) {
            product.run();
        }
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        // Nd4j.gemm allocates ~5 KB per call; a few bytes in all allows for the bean's own bookkeeping.
        assertTrue(bytes < calls, bytes + " bytes over " + calls + " calls");
    }

    /** A [rows, cols] C-ordered view starting {@code offset} elements into a larger buffer, filled with noise. */
    private static INDArray viewAt(int offset, int rows, int cols, long seed) {
        int n = rows * cols;
        INDArray flat = Nd4j.create(DataType.FLOAT, 1, offset + n + 3);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n))
                .reshape('c', rows, cols);
        view.assign(noise(rows, cols, seed));
        return view;
    }

    private static INDArray noise(int rows, int cols, long seed) {
        return Nd4j.createFromArray(gaussian(rows * cols, seed)).reshape('c', rows, cols);
    }

    private static boolean allFinite(float[] a) {
        for (float x : a) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
