package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Selection against a full sort on odd sizes: same columns, same order, same values (exactly). Narrow rows take the
 * plain heap scan; wide rows with small k the block-threshold path, which must agree with it tie for tie.
 */
class TopKTest {
    private static final int ROWS = 37;
    private static final int COLS = 101;
    private static final int K = 7;
    private static final int WIDE = 2011; // 63 blocks of 32, the last short

    @Test
    void matchesSortIncludingTies() {
        SplittableRandom random = new SplittableRandom(1);
        float[] src = new float[ROWS * COLS];
        for (int i = 0; i < src.length; i++) {
            src[i] = random.nextInt(9) - 4; // few distinct values: many ties
        }
        assertSameAsReference(src, null, null, 0, K);
    }

    @Test
    void biasIsAddedBeforeComparingAndInTheValues() {
        float[] src = gaussian(ROWS * COLS, 2);
        float[] bias = gaussian(COLS, 3);
        for (int k : new int[] {1, K, 64, COLS}) {
            assertSameAsReference(src, bias, null, 0, k);
        }
    }

    @Test
    void amongCandidatesAndFewerCandidatesThanK() {
        float[] src = gaussian(ROWS * COLS, 4);
        float[] bias = gaussian(COLS, 5);
        int[] cand = {3, 4, 10, 50, 99};
        for (int nCand : new int[] {5, 3}) {
            int[] idx = assertSameAsReference(src, bias, cand, nCand, K);
            assertEquals(-1, idx[K - 1], "unused slots are -1");
        }
    }

    @Test
    void wideRowsThroughTheBlockThreshold() {
        float[] src = gaussian(ROWS * WIDE, 6);
        float[] bias = gaussian(WIDE, 7);
        for (int k : new int[] {1, 5, 15}) {
            assertSameAsReference(src, bias, WIDE, null, 0, k);
        }
    }

    @Test
    void wideRowsWithManyTiesAtTheThreshold() {
        SplittableRandom random = new SplittableRandom(8);
        float[] src = new float[ROWS * WIDE];
        for (int i = 0; i < src.length; i++) {
            // Rows with 3 distinct values (ties flood the candidates: the fallback) and rows with 40.
            src[i] = random.nextInt((i / WIDE) % 2 == 0 ? 3 : 40);
        }
        for (int k : new int[] {2, 15}) {
            assertSameAsReference(src, null, WIDE, null, 0, k);
        }
    }

    @Test
    void thresholdIsReachedByKMaximaAndCloseToTheKth() {
        SplittableRandom random = new SplittableRandom(11);
        for (int n : new int[] {1, 2, 3, 17, 128, 401}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = trial % 2 == 0 ? random.nextInt(5) : (float) random.nextGaussian(); // with ties, without
                }
                float[] sorted = a.clone();
                java.util.Arrays.sort(sorted);
                float spread = sorted[n - 1] - sorted[0];
                for (int k : new int[] {1, (n + 1) / 2, n}) {
                    float tau = TopK.threshold(a, n, k);
                    float kth = sorted[n - k];
                    String what = "n " + n + ", k " + k + ": τ " + tau + ", k-th " + kth;
                    org.junit.jupiter.api.Assertions.assertTrue(tau <= kth, what);
                    org.junit.jupiter.api.Assertions.assertTrue(tau >= kth - spread / 2048f, what);
                }
            }
        }
        assertEquals(Float.NaN, TopK.threshold(new float[] {1f, Float.NaN, 2f}, 3, 1), "NaN");
        assertEquals(Float.NaN, TopK.threshold(new float[] {1f, Float.NEGATIVE_INFINITY}, 2, 1), "infinite");
    }

    private static int[] assertSameAsReference(float[] src, float[] bias, int[] cand, int nCand, int k) {
        return assertSameAsReference(src, bias, COLS, cand, nCand, k);
    }

    /** Runs the selection on a native copy of src against the reference; returns the chosen columns. */
    private static int[] assertSameAsReference(float[] src, float[] bias, int cols, int[] cand, int nCand, int k) {
        int[] refIdx = new int[ROWS * k];
        float[] refVal = new float[ROWS * k];
        TopK.selectReference(src, bias, ROWS, cols, cand, nCand, k, refIdx, refVal);

        int[] idx = new int[ROWS * k];
        float[] val = new float[ROWS * k];
        ByteBuffer nativeSrc = TestData.direct(src);
        TopK.select(nativeSrc, bias != null ? bias : new float[cols], ROWS, cols, cand, nCand, k, idx, val);
        assertArrayEquals(refIdx, idx, "top-" + k + " columns");
        assertArrayEquals(refVal, val, "top-" + k + " values");
        return idx;
    }
}
