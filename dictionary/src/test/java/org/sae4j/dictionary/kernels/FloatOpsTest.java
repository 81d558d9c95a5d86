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
    void axpy4Dot4AddsFourRowsAndDotsThemWithW() {
        float[] x = gaussian(4000, 5);
        float[] w = gaussian(1000, 6);
        int[] rows = {3, 1500, 777, 3001};
        float[] a = {0.5f, -1.25f, 2f, 0.75f};
        for (int n : LENGTHS) {
            float[] y = gaussian(1000, 7);
            float[] expected = y.clone();
            double[] dots = new double[4];
            double[] magnitude = new double[4];
            for (int i = 0; i < n; i++) {
                double sum = y[9 + i];
                for (int q = 0; q < 4; q++) {
                    sum += (double) a[q] * x[rows[q] + i];
                    dots[q] += (double) x[rows[q] + i] * w[11 + i];
                    magnitude[q] += Math.abs((double) x[rows[q] + i] * w[11 + i]);
                }
                expected[9 + i] = (float) sum;
            }
            float[] out = new float[4];
            FloatOps.axpy4Dot4(a[0], rows[0], a[1], rows[1], a[2], rows[2], a[3], rows[3], x, y, 9, w, 11, n, out);
            TestData.assertClose(expected, y, 1e-5, "axpy4 part, n = " + n);
            for (int q = 0; q < 4; q++) {
                assertEquals(dots[q], out[q], 1e-5 * Math.max(1, magnitude[q]), "dot " + q + ", n = " + n);
            }
        }
    }

    @Test
    void allFiniteFlagsANaNOrAnInfinityAtAnyPositionOfTheSliceOnly() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n = 1; n <= 70; n++) { // whole vectors and every tail length
            float[] a = gaussian(n + 6, n);
            a[0] = Float.NaN; // outside the slice [3, 3 + n): ignored
            a[n + 5] = Float.POSITIVE_INFINITY;
            a[3] = Float.MAX_VALUE; // finite values whose plain sum overflows: still finite
            a[3 + n - 1] = Float.MAX_VALUE;
            assertEquals(true, FloatOps.allFinite(a, 3, n), "n=" + n);
            assertEquals(true, FloatOps.allFiniteScalar(a, 3, n), "n=" + n);
            for (int at = 3; at < 3 + n; at++) {
                for (float b : bad) {
                    float kept = a[at];
                    a[at] = b;
                    assertEquals(false, FloatOps.allFinite(a, 3, n), "n=" + n + " " + b + " at " + at);
                    assertEquals(false, FloatOps.allFiniteScalar(a, 3, n), "n=" + n + " " + b + " at " + at);
                    a[at] = kept;
                }
            }
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
            for (int width : new int[] {16, 48, 128, 7}) {
                float[] max = new float[cols + 1];
                float[] maxScalar = new float[cols + 1];
                float[] biasedRow = java.util.Arrays.copyOfRange(row, 9, 9 + cols);
                float[] biasedRowScalar = biasedRow.clone();
                int blocks = FloatOps.biasAndBlockMaxScalar(biasedRowScalar, bias, cols, width, maxScalar);
                assertEquals((cols + width - 1) / width, blocks, "blocks");
                assertEquals(blocks, FloatOps.biasAndBlockMax(biasedRow, bias, cols, width, max), "blocks");
                org.junit.jupiter.api.Assertions.assertArrayEquals(maxScalar, max, "block maxima, cols " + cols);
                org.junit.jupiter.api.Assertions.assertArrayEquals(biasedRowScalar, biasedRow, "biased in place");
                for (int c = 0; c < cols; c++) {
                    assertEquals(row[9 + c] + bias[c], biasedRow[c], "biased column " + c);
                    org.junit.jupiter.api.Assertions.assertTrue(biasedRow[c] <= max[c / width], "column " + c);
                }
                // Collecting within the blocks that reach the threshold finds every column of the row that does.
                int[] inBlocks = new int[cols];
                float[] inBlockValues = new float[cols];
                int[] all = new int[cols];
                int nAll = FloatOps.collectAtLeastScalar(biasedRow, 0, cols, 0.5f, all, new float[cols], 0, cols);
                int n = FloatOps.collectAtLeastInBlocks(biasedRow, cols, width, max, blocks, 0.5f, inBlocks,
                        inBlockValues, cols);
                assertEquals(nAll, n, "hits, width " + width);
                for (int i = 0; i < n; i++) {
                    assertEquals(all[i], inBlocks[i], "column of hit " + i);
                    assertEquals(biasedRow[inBlocks[i]], inBlockValues[i], "value of hit " + i);
                }
                if (n > 1) {
                    assertEquals(-1, FloatOps.collectAtLeastInBlocks(biasedRow, cols, width, max, blocks, 0.5f,
                            inBlocks, inBlockValues, n - 1), "capacity");
                }
                assertEquals(nAll, FloatOps.countAtLeast(biasedRow, cols, 0.5f), "count");
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
        }
    }
}
