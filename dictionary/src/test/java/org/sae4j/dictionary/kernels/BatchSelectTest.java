package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sae4j.dictionary.kernels.TestData.direct;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The radix selection against its reference (a full sort of the batch) on odd sizes, exactly: same rows, columns,
 * values; ties at the cut, fewer positive entries than asked for, NaN and ±Inf, and values that share their top 16
 * bits (the second histogram's case); and one selection reused over batches whose τ moves, as in training, where
 * each call's first pass starts from half the last τ.
 */
class BatchSelectTest {
    private static final int ROWS = 37;
    private static final int COLS = 101;

    @Test
    void gaussianWithBias() {
        float[] src = gaussian(ROWS * COLS, 1);
        float[] bias = gaussian(COLS, 2);
        for (int keep : new int[] {1, 7, 3 * ROWS, 40 * ROWS}) {
            assertSameAsReference(src, bias, keep);
        }
    }

    @Test
    void manyTiesAtTheCut() {
        SplittableRandom random = new SplittableRandom(3);
        float[] src = new float[ROWS * COLS];
        for (int i = 0; i < src.length; i++) {
            src[i] = random.nextInt(9) - 4; // few distinct values: the cut falls inside a run of equal values
        }
        for (int keep : new int[] {5, 100, 4 * ROWS, 1000}) {
            assertSameAsReference(src, new float[COLS], keep);
        }
    }

    @Test
    void fewerPositiveEntriesThanKeepKeepsThemAll() {
        float[] src = gaussian(ROWS * COLS, 4);
        for (int i = 0; i < src.length; i++) {
            src[i] -= 2.5f; // about 0.6% positive
        }
        int n = assertSameAsReference(src, new float[COLS], 10 * ROWS);
        long positive = 0;
        for (float v : src) {
            positive += v > 0 ? 1 : 0;
        }
        assertEquals(positive, n, "every positive entry kept");
    }

    @Test
    void closeValuesNonFiniteAndZeros() {
        float[] src = new float[ROWS * COLS];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < src.length; i++) {
            src[i] = 1f + random.nextInt(1 << 12) * Math.ulp(1f); // all share their top 16 bits
        }
        src[17] = Float.NaN;
        src[400] = Float.POSITIVE_INFINITY;
        src[401] = Float.NEGATIVE_INFINITY;
        src[402] = 0f;
        src[403] = -0f;
        for (int keep : new int[] {1, 2, 333, ROWS * COLS - 10}) {
            assertSameAsReference(src, new float[COLS], keep);
        }
    }

    @Test
    void oneRowAndOneColumn() {
        float[] src = gaussian(COLS, 6);
        int[] rowStart = new int[2];
        int[] idx = new int[COLS];
        float[] val = new float[COLS];
        int n = new BatchSelect(1, COLS).select(direct(src), new float[COLS], 5, rowStart, idx, val);
        assertEquals(5, n);
        float[] column = gaussian(ROWS, 7);
        int[] rs = new int[ROWS + 1];
        int kept = new BatchSelect(ROWS, 1).select(direct(column), new float[1], 9, rs, new int[ROWS],
                new float[ROWS]);
        assertEquals(9, kept);
    }

    @Test
    void aReusedSelectionFollowsItsInputWhereverTauMoves() {
        BatchSelect select = new BatchSelect(ROWS, COLS);
        float[] bias = gaussian(COLS, 8);
        float[] base = gaussian(ROWS * COLS, 9);
        // The same batch again (the bound from the last τ holds), batches scaled down (too few entries reach half
        // the last τ: the first pass runs again over every positive entry) and up (many more than needed reach it),
        // a batch with no positive entry, one whose τ is the smallest positive float, and ties.
        float[] scales = {1f, 1f, 0.1f, 0.1f, 30f, 1f, 0.45f, -1f, 1f};
        for (float scale : scales) {
            float[] src = base.clone();
            for (int i = 0; i < src.length; i++) {
                src[i] *= scale;
            }
            for (int keep : new int[] {7, 3 * ROWS}) {
                assertSameAsReference(select, src, scale < 0 ? new float[COLS] : bias, keep);
            }
        }
        float[] tiny = new float[ROWS * COLS];
        tiny[5] = Float.MIN_VALUE;
        tiny[700] = Float.MIN_VALUE;
        tiny[701] = 2 * Float.MIN_VALUE;
        assertSameAsReference(select, tiny, new float[COLS], 2);
        assertSameAsReference(select, tiny, new float[COLS], 2); // from a last τ of the smallest positive float
        SplittableRandom random = new SplittableRandom(10);
        float[] ties = new float[ROWS * COLS];
        for (int i = 0; i < ties.length; i++) {
            ties[i] = random.nextInt(9) - 4;
        }
        for (int keep : new int[] {100, 5, 1000, 100}) {
            assertSameAsReference(select, ties, new float[COLS], keep);
        }
    }

    private static int assertSameAsReference(float[] src, float[] bias, int keep) {
        return assertSameAsReference(new BatchSelect(ROWS, COLS), src, bias, keep);
    }

    private static int assertSameAsReference(BatchSelect select, float[] src, float[] bias, int keep) {
        int cap = ROWS * COLS;
        int[] rowStart = new int[ROWS + 1];
        int[] idx = new int[cap];
        float[] val = new float[cap];
        int n = select.select(direct(src), bias, keep, rowStart, idx, val);
        int[] rowStartRef = new int[ROWS + 1];
        int[] idxRef = new int[cap];
        float[] valRef = new float[cap];
        int nRef = BatchSelect.reference(src, bias, ROWS, COLS, keep, rowStartRef, idxRef, valRef);
        assertEquals(nRef, n, "kept count, keep " + keep);
        assertArrayEquals(rowStartRef, rowStart, "row offsets, keep " + keep);
        assertArrayEquals(Arrays.copyOf(idxRef, n), Arrays.copyOf(idx, n), "columns, keep " + keep);
        assertArrayEquals(Arrays.copyOf(valRef, n), Arrays.copyOf(val, n), "values, keep " + keep);
        return n;
    }
}
