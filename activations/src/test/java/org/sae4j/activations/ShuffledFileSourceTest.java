package org.sae4j.activations;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact comparisons throughout (rows are copied, never computed), so every tolerance is 0. */
class ShuffledFileSourceTest {
    static final int N = 37;
    static final int D = 3;

    @TempDir
    Path dir;

    private static ShuffledFileSource source(int bufferRows, long seed) {
        return new ShuffledFileSource(new TestArrays.ArrayRowFile(TestArrays.rows(N, D), D), bufferRows, seed);
    }

    /** The file row a emitted row came from (values encode it: see TestArrays.value). */
    private static int rowOf(float[] data, int i) {
        return (int) ((data[i * D] - 0.5f) / 8);
    }

    private static float[] take(ShuffledFileSource s, int rows) throws IOException {
        float[] out = new float[rows * D];
        s.next(out, rows);
        return out;
    }

    @Test
    void eachEpochEmitsEveryRowOnceWithRowsIntact() throws IOException {
        for (int b : new int[] {1, 8, 37, 100}) {          // short last block, whole file one block, B > n
            try (ShuffledFileSource s = source(b, 7)) {
                float[] three = take(s, 3 * N);
                for (int e = 0; e < 3; e++) {
                    boolean[] seen = new boolean[N];
                    for (int i = e * N; i < (e + 1) * N; i++) {
                        int r = rowOf(three, i);
                        assertFalse(seen[r], "B=" + b + " epoch " + e + " emits row " + r + " twice");
                        seen[r] = true;
                        for (int c = 0; c < D; c++) {
                            assertEquals(TestArrays.value(r, c), three[i * D + c], 0f, "row " + r + " intact");
                        }
                    }
                }
                assertEquals(3L * N, s.position());
            }
        }
    }

    @Test
    void shuffleActuallyShufflesAndSeedsDecide() throws IOException {
        float[] a;
        float[] b;
        float[] c;
        try (ShuffledFileSource s = source(8, 1)) {
            a = take(s, 2 * N);
        }
        try (ShuffledFileSource s = source(8, 1)) {
            b = take(s, 2 * N);
        }
        try (ShuffledFileSource s = source(8, 2)) {
            c = take(s, 2 * N);
        }
        assertArrayEquals(a, b, 0f, "same seed, same stream");
        assertFalse(Arrays.equals(a, c), "different seeds must give different streams");
        assertFalse(Arrays.equals(Arrays.copyOf(a, N * D), TestArrays.rows(N, D)), "epoch 0 must not be file order");
        assertFalse(Arrays.equals(Arrays.copyOf(a, N * D), Arrays.copyOfRange(a, N * D, 2 * N * D)),
                "epoch 1 must be ordered differently from epoch 0");
    }

    @Test
    void seekThenNextEqualsTheUninterruptedStream() throws IOException {
        for (int b : new int[] {1, 5, 8, 37, 64}) {
            float[] stream;
            try (ShuffledFileSource s = source(b, 42)) {
                // Odd read sizes so reads cross block and epoch boundaries.
                stream = new float[4 * N * D];
                float[] part = new float[11 * D];
                int done = 0;
                while (done < 4 * N) {
                    int n = Math.min(11, 4 * N - done);
                    s.next(part, n);
                    System.arraycopy(part, 0, stream, done * D, n * D);
                    done += n;
                }
            }
            // 0, inside blocks, block starts (8, 16, 32 for B=8), epoch ends and starts (36, 37, 74), later epochs.
            long[] positions = {0, 1, 7, 8, 16, 31, 32, 36, 37, 38, 45, 73, 74, 75, 100};
            try (ShuffledFileSource s = source(b, 42)) {
                for (long p : positions) {
                    s.seek(p);
                    assertEquals(p, s.position());
                    float[] got = take(s, 30);
                    float[] want = Arrays.copyOfRange(stream, (int) p * D, (int) (p + 30) * D);
                    assertArrayEquals(want, got, 0f, "B=" + b + " seek(" + p + ")");
                    assertEquals(p + 30, s.position());
                }
            }
        }
    }

    @Test
    void nanIsReportedWithFileRowAndColumn() throws IOException {
        float[] a = TestArrays.rows(N, D);
        a[23 * D + 2] = Float.NaN;
        Path p = TestArrays.npy(dir.resolve("nan.npy"), TestArrays.dict("<f4", false, N, D), TestArrays.f4(a));
        try (ShuffledFileSource s = new ShuffledFileSource(RowFiles.open(p, null), 8, 3)) {
            BadInputException e = assertThrows(BadInputException.class, () -> take(s, 2 * N));
            assertEquals(p + ": row 23 holds NaN at column 2", e.getMessage());
        }
        a[23 * D + 2] = Float.POSITIVE_INFINITY;
        try (ShuffledFileSource s = new ShuffledFileSource(new ConcatRowFile(java.util.List.of(
                new TestArrays.ArrayRowFile(TestArrays.rows(5, D), D), new TestArrays.ArrayRowFile(a, D))), 100, 3)) {
            BadInputException e = assertThrows(BadInputException.class, () -> take(s, 1));
            assertTrue(e.getMessage().equals("memory: row 23 holds Infinity at column 2"), e.getMessage());
        }
    }

    @Test
    void locateNamesTheFileRowEachPositionEmits() throws IOException {
        for (int b : new int[] {1, 8, 37, 100}) {
            try (ShuffledFileSource s = source(b, 11)) {
                float[] two = take(s, 2 * N + 5);
                for (int i = 0; i < 2 * N + 5; i++) {
                    assertEquals("memory: row " + rowOf(two, i), s.locate(i), "B=" + b + " position " + i);
                }
            }
        }
    }

    @Test
    void uncheckedSourceHandsNonFiniteRowsOut() throws IOException {
        float[] a = TestArrays.rows(N, D);
        a[5 * D + 1] = Float.NaN;
        try (ShuffledFileSource s = new ShuffledFileSource(new TestArrays.ArrayRowFile(a, D), 8, 3, false)) {
            float[] epoch = take(s, N);
            int nan = 0;
            for (float v : epoch) {
                nan += Float.isNaN(v) ? 1 : 0;
            }
            assertEquals(1, nan, "the one NaN is handed out, not refused");
        }
    }

    @Test
    void closeClosesTheFile() throws IOException {
        TestArrays.ArrayRowFile f = new TestArrays.ArrayRowFile(TestArrays.rows(N, D), D);
        new ShuffledFileSource(f, 8, 0).close();
        assertTrue(f.closed);
    }
}
