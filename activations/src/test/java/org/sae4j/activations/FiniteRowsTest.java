package org.sae4j.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sae4j.formats.BadInputException;

/** NaN/Inf rows: stopped with file, row and column named, or skipped with batches kept full and the cursor exact. */
@Timeout(10)
class FiniteRowsTest {
    private static final int N = 40;
    private static final int D = 3;

    /** Rows 7 (NaN), 8 (+Inf) and 30 (−Inf) of an otherwise finite file, in a seeded shuffle. */
    private static ShuffledFileSource dotted() {
        float[] a = TestArrays.rows(N, D);
        a[7 * D] = Float.NaN;
        a[8 * D + 2] = Float.POSITIVE_INFINITY;
        a[30 * D + 1] = Float.NEGATIVE_INFINITY;
        return new ShuffledFileSource(new TestArrays.ArrayRowFile(a, D), 1, 0, false);
    }

    private static float[] take(ActivationSource s, int rows) throws IOException {
        float[] out = new float[rows * D];
        s.next(out, rows);
        return out;
    }

    @Test
    void stopNamesWhereAndColumn() throws IOException {
        try (FiniteRows s = new FiniteRows(dotted(), NonFinite.STOP)) {
            take(s, 5);
            ShuffledFileSource probe = dotted();
            String where = probe.locate(firstBadPosition(probe));
            probe.close();
            BadInputException e = assertThrows(BadInputException.class, () -> take(s, 2 * N));
            assertTrue(e.getMessage().startsWith(where + " holds "), e.getMessage());
            assertTrue(e.getMessage().contains(" at column "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void skipKeepsBatchesFullDropsOnlyBadRowsAndCounts() throws IOException {
        try (FiniteRows s = new FiniteRows(dotted(), NonFinite.SKIP)) {
            float[] got = take(s, N - 3);               // one epoch minus the three bad rows
            for (float v : got) {
                assertTrue(Float.isFinite(v), "only finite values come out");
            }
            assertEquals(N, s.position(), "the cursor counts the dropped rows too");
            assertEquals(3, s.skipped(), "three rows dropped");
            assertTrue(s.firstSkipped().startsWith("memory: row ") && s.firstSkipped().contains(" holds "),
                    s.firstSkipped());
            boolean[] seen = new boolean[N];
            for (int i = 0; i < N - 3; i++) {
                seen[(int) ((got[i * D] - 0.5f) / 8)] = true;  // TestArrays.value encodes the row
            }
            assertFalse(seen[7] || seen[8] || seen[30], "the bad rows are not emitted");
        }
    }

    @Test
    void skippingIsAPureFunctionOfThePosition() throws IOException {
        float[] whole;
        long mid;
        try (FiniteRows s = new FiniteRows(dotted(), NonFinite.SKIP)) {
            take(s, 25);
            mid = s.position();
            whole = take(s, 60);
        }
        try (FiniteRows s = new FiniteRows(dotted(), NonFinite.SKIP)) {
            s.seek(mid);
            assertArrayEquals(whole, take(s, 60), "a resumed reader sees the same rows");
        }
    }

    @Test
    void mostlyBrokenDataGivesUpInsteadOfLoopingForever() throws IOException {
        float[] a = new float[N * D];
        Arrays.fill(a, Float.NaN);
        a[0] = 1;
        a[1] = 1;
        a[2] = 1;                                       // row 0 is the only finite one
        try (FiniteRows s = new FiniteRows(new ShuffledFileSource(new TestArrays.ArrayRowFile(a, D), 4, 0, false),
                NonFinite.SKIP)) {
            BadInputException e = assertThrows(BadInputException.class, () -> take(s, 16));
            assertTrue(e.getMessage().startsWith("gave up reading activations: "), e.getMessage());
            assertTrue(s.position() <= 3L * 16, "read at most a bounded number of rows: " + s.position());
        }
    }

    @Test
    void resumedCountCarriesOn() throws IOException {
        try (FiniteRows s = new FiniteRows(dotted(), NonFinite.SKIP)) {
            assertNull(s.firstSkipped());
            s.resumeCount(4, "x.npy: row 1 holds NaN at column 0");
            take(s, N - 3);
            assertEquals(7, s.skipped());
            assertEquals("x.npy: row 1 holds NaN at column 0", s.firstSkipped(), "the first stays the first");
            assertThrows(IllegalArgumentException.class, () -> s.resumeCount(2, null));
        }
    }

    private static long firstBadPosition(ShuffledFileSource s) throws IOException {
        float[] epoch = take(s, N);
        for (int i = 0; i < epoch.length; i++) {
            if (!Float.isFinite(epoch[i])) {
                return i / D;
            }
        }
        throw new AssertionError("no bad row");
    }
}
