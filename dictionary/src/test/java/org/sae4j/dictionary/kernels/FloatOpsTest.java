package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import org.junit.jupiter.api.Test;

/**
 * The dispatching bodies (SIMD when the run has the Vector API, see the two surefire runs) and the scalar bodies
 * against double-precision sums, on lengths around the vector width and at odd offsets. Sums: 1e-5 relative to
 * Σ|a·b|; scans: exact.
 */
class FloatOpsTest {
    private static final int[] LENGTHS = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 100, 769};

    @Test
    void simdBodiesRunUnlessTurnedOff() {
        // Both surefire runs start the JVM with the Vector API module; the second sets -Dsae4j.simd=false.
        assertEquals(!"false".equals(System.getProperty("sae4j.simd")), FloatOps.SIMD, "FloatOps.SIMD");
    }

    @Test
    void dotMatchesDoubleSum() {
        float[] a = gaussian(1000, 1);
        float[] b = gaussian(1000, 2);
        for (int n : LENGTHS) {
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[3 + i] * b[5 + i];
                magnitude += Math.abs((double) a[3 + i] * b[5 + i]);
            }
            double tol = 1e-5 * Math.max(1, magnitude);
            assertEquals(exact, FloatOps.dot(a, 3, b, 5, n), tol, "dot, n = " + n);
            assertEquals(exact, FloatOps.dotScalar(a, 3, b, 5, n), tol, "scalar dot, n = " + n);
        }
    }

    @Test
    void axpyTouchesExactlyTheSlice() {
        float[] x = gaussian(1000, 3);
        for (int n : LENGTHS) {
            float[] y = gaussian(1000, 4);
            float[] yScalar = y.clone();
            float[] expected = y.clone();
            for (int i = 0; i < n; i++) {
                expected[7 + i] = (float) (y[7 + i] + 0.37 * x[2 + i]);
            }
            FloatOps.axpy(0.37f, x, 2, y, 7, n);
            FloatOps.axpyScalar(0.37f, x, 2, yScalar, 7, n);
            TestData.assertClose(expected, y, 1e-6, "axpy n = " + n);
            TestData.assertClose(expected, yScalar, 1e-6, "scalar axpy n = " + n);
        }
    }

    @Test
    void firstAboveFindsTheFirstStrictlyGreaterColumn() {
        float[] bias = new float[800];
        for (int n : LENGTHS) {
            for (int target = 0; target <= n; target++) {
                float[] row = new float[810];
                java.util.Arrays.fill(row, 1f); // equal to the threshold: never above
                row[4] = Float.NaN;              // NaN: never above
                if (target < n) {
                    row[5 + target] = 0.5f;
                    bias[target] = 0.6f;         // 0.5 + 0.6 > 1
                }
                assertEquals(target, FloatOps.firstAbove(row, 5, bias, 0, n, 1f), "n = " + n);
                assertEquals(target, FloatOps.firstAboveScalar(row, 5, bias, 0, n, 1f), "scalar n = " + n);
                if (target < n) {
                    bias[target] = 0f;
                }
            }
        }
    }

    @Test
    void nativeRowScansAgreeWithScalar() {
        for (int cols : new int[] {1, 15, 16, 17, 64, 100, 1000}) {
            float[] row = gaussian(cols + 9, cols);
            float[] bias = gaussian(cols, cols + 1);
            java.nio.ByteBuffer nativeRow = TestData.direct(row);
            int at = 4 * 9;
            for (int group : new int[] {1, 3, 8}) {
                float[] max = new float[cols + 16];
                float[] maxScalar = new float[cols + 16];
                int blocks = FloatOps.groupMaxScalar(nativeRow, at, bias, cols, FloatOps.LANES, group, maxScalar);
                assertEquals(blocks, FloatOps.groupMax(nativeRow, at, bias, cols, group, max), "blocks");
                org.junit.jupiter.api.Assertions.assertArrayEquals(maxScalar, max, "block maxima, cols " + cols);
                // Every column is in exactly one block, and no block maximum is below a member.
                int span = FloatOps.LANES * group;
                for (int c = 0; c < cols; c++) {
                    int b = c / span * FloatOps.LANES + c % FloatOps.LANES;
                    org.junit.jupiter.api.Assertions.assertTrue(b < blocks && row[9 + c] + bias[c] <= max[b]);
                }
            }
            float[] biased = new float[cols];
            FloatOps.loadBiased(nativeRow, at, bias, cols, biased);
            for (int c = 0; c < cols; c++) {
                assertEquals(row[9 + c] + bias[c], biased[c], "biased load, column " + c);
            }
            int[] hits = new int[cols];
            int[] hitsScalar = new int[cols];
            int n = FloatOps.collectAtLeast(nativeRow, at, bias, cols, 0.5f, hits, cols);
            assertEquals(FloatOps.collectAtLeastScalar(nativeRow, at, bias, cols, 0.5f, hitsScalar, cols), n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(hitsScalar, hits, "columns >= 0.5, cols = " + cols);
            if (n > 1) {
                assertEquals(-1, FloatOps.collectAtLeast(nativeRow, at, bias, cols, 0.5f, hits, n - 1), "capacity");
            }
            // The variant that keeps the values: the same columns, each with its biased value.
            int[] kept = new int[cols];
            float[] keptValues = new float[cols + FloatOps.LANES];
            assertEquals(n, FloatOps.collectAtLeast(nativeRow, at, bias, cols, 0.5f, kept, keptValues, cols));
            for (int i = 0; i < n; i++) {
                assertEquals(hitsScalar[i], kept[i], "column of hit " + i + ", cols = " + cols);
                assertEquals(row[9 + kept[i]] + bias[kept[i]], keptValues[i], "value of hit " + i);
            }
            if (n > 1) {
                assertEquals(-1, FloatOps.collectAtLeast(nativeRow, at, bias, cols, 0.5f, kept, keptValues, n - 1),
                        "capacity, keeping values");
            }
        }
    }
}
