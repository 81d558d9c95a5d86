package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * BatchTopK's selection (Bussmann et al. 2024): of all entries of a [rows, cols] matrix plus a per-column bias, the
 * {@code keep} largest positive ones over the whole batch (fewer when fewer are positive), as ragged rows: row r's
 * entries are {@code rowStart[r] ≤ e < rowStart[r+1]}, in ascending column order. Ties at the cut go to the lowest
 * row-major position, so the result is a pure function of the input.
 *
 * <p>A radix select on the float bits, which for positive floats order as the values do: (1) a histogram of the top
 * 16 bits of every positive entry finds the bucket holding the keep-th largest; (2) a histogram of the low 16 bits
 * inside that bucket gives its exact value τ and how many entries equal to τ are kept; (3) each row's entries ≥ τ
 * are counted ({@link FloatOps#collectAtLeast}, SIMD), the counts turned into row offsets, the ties handed out in row
 * order; (4) each row's entries are written. Four reads of the matrix as the GEMM left it, no copy and no sort of
 * the batch; histograms per worker part, summed (integer counts: the same in any order). {@link #reference} is the
 * plain sort it must equal.
 */
public final class BatchSelect {
    private static final int HIGH = 1 << 15; // a positive float's bits >>> 16, up to +Inf's 0x7f80
    private static final int LOW = 1 << 16;
    private static final ThreadLocal<int[]> ROW = ThreadLocal.withInitial(() -> new int[0]);

    private final int rows;
    private final int cols;
    private final int parts;
    private final int[][] high;     // [parts][HIGH]
    private final int[][] low;      // [parts][LOW]
    private final int[] above;      // [rows] entries > τ per row
    private final int[] ties;       // [rows] entries == τ per row, then how many of them are kept
    // The call in flight, for the parallel bodies below, which are bound once: a lambda capturing these would be a
    // new object on every call.
    private ByteBuffer src;
    private float[] bias;
    private int highBucket;
    private float tau;
    private int[] rowStart;
    private int[] idx;
    private float[] val;
    private final Parallel.RangeBody countHigh = this::countHigh;
    private final Parallel.RangeBody countLow = this::countLow;
    private final Parallel.RangeBody countRows = this::countRows;
    private final Parallel.RangeBody writeRows = this::writeRows;

    public BatchSelect(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.parts = Math.max(1, Math.min(rows, Parallel.threads()));
        this.high = new int[parts][HIGH];
        this.low = new int[parts][LOW];
        this.above = new int[rows];
        this.ties = new int[rows];
    }

    /**
     * @param src      [rows, cols] little-endian native view ({@link Nio#bytes})
     * @param bias     [cols] added to every row
     * @param keep     how many entries to keep at most
     * @param rowStart out: [rows + 1] row offsets into idx/val
     * @param idx      out: [≥ keep] columns
     * @param val      out: [≥ keep] their values (bias included), all > 0
     * @return the number of entries kept, {@code rowStart[rows]}
     */
    public int select(ByteBuffer src, float[] bias, int keep, int[] rowStart, int[] idx, float[] val) {
        this.src = src;
        this.bias = bias;
        this.rowStart = rowStart;
        this.idx = idx;
        this.val = val;
        try {
            return select(keep);
        } finally {
            this.src = null; // don't keep the caller's arrays alive
            this.bias = null;
            this.rowStart = null;
            this.idx = null;
            this.val = null;
        }
    }

    private int select(int keep) {
        // (1) top 16 bits of every positive entry
        Parallel.forRange(parts, 1, countHigh);
        long positive = 0;
        int bucket = -1;
        long aboveBucket = 0;
        for (int b = HIGH - 1; b >= 0; b--) {
            long n = 0;
            for (int part = 0; part < parts; part++) {
                n += high[part][b];
            }
            if (bucket < 0 && positive + n >= keep) {
                bucket = b;
                aboveBucket = positive;
            }
            positive += n;
        }
        long tieBudget;
        if (bucket < 0) { // no more than keep positive entries: keep them all
            tau = Float.MIN_VALUE;
            tieBudget = Long.MAX_VALUE;
        } else {
            // (2) low 16 bits inside the bucket
            highBucket = bucket;
            Parallel.forRange(parts, 1, countLow);
            long need = keep - aboveBucket;
            long seen = 0;
            int lowBits = -1;
            for (int b = LOW - 1; b >= 0; b--) {
                long n = 0;
                for (int part = 0; part < parts; part++) {
                    n += low[part][b];
                }
                if (seen + n >= need) {
                    lowBits = b;
                    break;
                }
                seen += n;
            }
            tau = Float.intBitsToFloat(bucket << 16 | lowBits);
            tieBudget = need - seen;
        }
        // (3) per row: entries > τ and == τ; offsets; ties handed out in row order
        Parallel.forRange(rows, countRows);
        rowStart[0] = 0;
        for (int r = 0; r < rows; r++) {
            int take = (int) Math.min(ties[r], tieBudget);
            tieBudget -= take;
            ties[r] = take;
            rowStart[r + 1] = rowStart[r] + above[r] + take;
        }
        // (4) write each row's entries in column order
        Parallel.forRange(rows, writeRows);
        return rowStart[rows];
    }

    private void countHigh(int fromPart, int toPart) {
        for (int part = fromPart; part < toPart; part++) {
            int[] h = high[part];
            Arrays.fill(h, 0);
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                int at = 4 * r * cols;
                for (int c = 0; c < cols; c++) {
                    float v = src.getFloat(at + 4 * c) + bias[c];
                    if (v > 0f) { // NaN never; +Inf as the largest
                        h[Float.floatToRawIntBits(v) >>> 16]++;
                    }
                }
            }
        }
    }

    private void countLow(int fromPart, int toPart) {
        for (int part = fromPart; part < toPart; part++) {
            int[] h = low[part];
            Arrays.fill(h, 0);
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                int at = 4 * r * cols;
                for (int c = 0; c < cols; c++) {
                    float v = src.getFloat(at + 4 * c) + bias[c];
                    int bits = Float.floatToRawIntBits(v);
                    if (v > 0f && bits >>> 16 == highBucket) {
                        h[bits & 0xffff]++;
                    }
                }
            }
        }
    }

    private void countRows(int from, int to) {
        int[] at = scratch();
        for (int r = from; r < to; r++) {
            int n = FloatOps.collectAtLeast(src, 4 * r * cols, bias, cols, tau, at, cols);
            int eq = 0;
            for (int i = 0; i < n; i++) {
                eq += src.getFloat(4 * (r * cols + at[i])) + bias[at[i]] == tau ? 1 : 0;
            }
            above[r] = n - eq;
            ties[r] = eq;
        }
    }

    private void writeRows(int from, int to) {
        int[] at = scratch();
        for (int r = from; r < to; r++) {
            int n = FloatOps.collectAtLeast(src, 4 * r * cols, bias, cols, tau, at, cols);
            int e = rowStart[r];
            int tiesLeft = ties[r];
            for (int i = 0; i < n; i++) {
                int c = at[i];
                float v = src.getFloat(4 * (r * cols + c)) + bias[c];
                if (v == tau) {
                    if (tiesLeft == 0) {
                        continue;
                    }
                    tiesLeft--;
                }
                idx[e] = c;
                val[e] = v;
                e++;
            }
        }
    }

    private int firstRow(int part) {
        return (int) ((long) rows * part / parts);
    }

    private int[] scratch() {
        int[] s = ROW.get();
        if (s.length < cols) {
            s = new int[cols];
            ROW.set(s);
        }
        return s;
    }

    /**
     * Plain reference: every positive entry sorted by (value descending, row-major position ascending), the first
     * {@code keep} kept, written row by row in column order. Same outputs as {@link #select}.
     */
    public static int reference(float[] src, float[] bias, int rows, int cols, int keep, int[] rowStart, int[] idx,
                                float[] val) {
        long[] order = new long[rows * cols];
        int n = 0;
        for (int i = 0; i < rows * cols; i++) {
            float v = src[i] + bias[i % cols];
            if (v > 0f) { // NaN never; +Inf as the largest
                order[n++] = i;
            }
        }
        Long[] boxed = new Long[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = order[i];
        }
        Arrays.sort(boxed, (a, b) -> {
            float va = src[(int) (long) a] + bias[(int) (a % cols)];
            float vb = src[(int) (long) b] + bias[(int) (b % cols)];
            return va != vb ? Float.compare(vb, va) : Long.compare(a, b);
        });
        boolean[] kept = new boolean[rows * cols];
        for (int i = 0; i < Math.min(keep, n); i++) {
            kept[(int) (long) boxed[i]] = true;
        }
        int e = 0;
        rowStart[0] = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (kept[r * cols + c]) {
                    idx[e] = c;
                    val[e] = src[r * cols + c] + bias[c];
                    e++;
                }
            }
            rowStart[r + 1] = e;
        }
        return e;
    }
}
