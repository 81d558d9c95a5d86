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
 * 16 bits of the positive entries finds the bucket holding the keep-th largest; (2) a histogram of the low 16 bits
 * inside that bucket gives its exact value τ and how many entries equal to τ are kept; (3) each row's entries ≥ τ
 * are counted, the counts turned into row offsets, the ties handed out in row order; (4) each row's entries are
 * written. A pass over the matrix copies each row, biased, into heap scratch and finds the entries at or above a
 * bound with a SIMD scan ({@link FloatOps#collectAtLeast}); only those are handled one by one. Histograms are kept
 * per worker part and summed (integer counts: the same in any order). {@link #reference} is the plain sort it must
 * equal.
 *
 * <p>Successive batches of one training run put τ in nearly the same place, so pass (1) looks only at the entries
 * ≥ 0.9 × the previous call's τ and keeps them (column, value, per row) as candidates; when at least keep entries
 * reach that bound and the candidates fit their buffers (3 × keep), steps (2) to (4) read the candidates instead of
 * the matrix: one pass over the batch in all. Otherwise pass (1) runs again over every positive entry when too few
 * reached the bound, and (2) to (4) read the matrix. Either way the result is the exact selection; the bound only
 * decides how much work it takes. Reading every positive entry one by one, as this class did before, took ~470 ms
 * at 4096 × 16384 here, more than the encoder GEMM's 570.
 */
public final class BatchSelect {
    private static final int HIGH = 1 << 15; // a positive float's bits >>> 16, up to +Inf's 0x7f80
    private static final int LOW = 1 << 16;
    private static final float BOUND_FROM_LAST_TAU = 0.9f;
    private static final int CANDIDATES_PER_KEPT = 3;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int rows;
    private final int cols;
    private final int parts;
    private final int[][] high;     // [parts][HIGH]
    private final int[][] low;      // [parts][LOW]
    private final int[] above;      // [rows] entries > τ per row
    private final int[] ties;       // [rows] entries == τ per row, then how many of them are kept
    private final int[] rowHits;    // [rows] candidates per row (entries ≥ the bound of pass (1))
    private final long[] counted;   // [parts] entries ≥ the bound of pass (1)
    private final boolean[] overflowed; // [parts] whether a part's candidates outgrew its buffers
    private int[][] candCol;        // [parts][capacity] candidates, rows in order, columns ascending
    private float[][] candVal;      // [parts][capacity] their values, bias included
    private float lastTau = Float.NaN; // the previous call's τ; NaN before, or when it kept every positive entry
    // The call in flight, for the parallel bodies below, which are bound once: a lambda capturing these would be a
    // new object on every call.
    private ByteBuffer src;
    private float[] bias;
    private float lower;            // pass (1)'s bound: only entries ≥ it are counted
    private boolean keepCandidates;
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
        this.rowHits = new int[rows];
        this.counted = new long[parts];
        this.overflowed = new boolean[parts];
        this.candCol = new int[parts][0];
        this.candVal = new float[parts][0];
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
        // (1) top 16 bits of the entries ≥ 0.9 × the last τ, kept as candidates; of every positive entry, not kept,
        // when there was no last τ or too few entries reach that bound
        boolean fromLastTau = lastTau > 0f && lastTau < Float.POSITIVE_INFINITY;
        lower = fromLastTau ? Math.max(Float.MIN_VALUE, lastTau * BOUND_FROM_LAST_TAU) : Float.MIN_VALUE;
        keepCandidates = fromLastTau;
        if (keepCandidates) {
            ensureCandidateCapacity(keep);
        }
        Parallel.forRange(parts, 1, countHigh);
        boolean enough = total(counted) >= keep;
        boolean useCandidates = keepCandidates && enough && !any(overflowed);
        if (!enough && lower > Float.MIN_VALUE) {
            lower = Float.MIN_VALUE; // v ≥ the smallest positive float ⟺ v > 0
            keepCandidates = false;
            Parallel.forRange(parts, 1, countHigh);
        }
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
            if (useCandidates) {
                lowHistogramOfCandidates();
            } else {
                Parallel.forRange(parts, 1, countLow);
            }
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
        if (useCandidates) {
            countCandidateRows();
        } else {
            Parallel.forRange(rows, countRows);
        }
        rowStart[0] = 0;
        for (int r = 0; r < rows; r++) {
            int take = (int) Math.min(ties[r], tieBudget);
            tieBudget -= take;
            ties[r] = take;
            rowStart[r + 1] = rowStart[r] + above[r] + take;
        }
        // (4) write each row's entries in column order
        if (useCandidates) {
            writeCandidateRows();
        } else {
            Parallel.forRange(rows, writeRows);
        }
        lastTau = bucket < 0 ? Float.NaN : tau;
        return rowStart[rows];
    }

    /** Room for 3 × keep candidates over the parts (and one full row each), grown with headroom, never shrunk. */
    private void ensureCandidateCapacity(int keep) {
        long perPart = CANDIDATES_PER_KEPT * (long) keep / parts + cols;
        int capacity = (int) Math.min(perPart, (long) (rows / parts + 1) * cols);
        if (candCol[0].length < capacity) {
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, capacity + capacity / 2L);
            for (int part = 0; part < parts; part++) {
                candCol[part] = new int[grown];
                candVal[part] = new float[grown];
            }
        }
    }

    private static long total(long[] a) {
        long n = 0;
        for (long v : a) {
            n += v;
        }
        return n;
    }

    private static boolean any(boolean[] a) {
        for (boolean v : a) {
            if (v) {
                return true;
            }
        }
        return false;
    }

    private void countHigh(int fromPart, int toPart) {
        Scratch s = SCRATCH.get().ensure(cols);
        for (int part = fromPart; part < toPart; part++) {
            int[] h = high[part];
            Arrays.fill(h, 0);
            long n = 0;
            int kept = 0;
            boolean overflow = !keepCandidates;
            int[] col = candCol[part];
            float[] value = candVal[part];
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                int hits = s.atLeast(src, r, cols, bias, lower);
                for (int i = 0; i < hits; i++) {
                    h[Float.floatToRawIntBits(s.values[i]) >>> 16]++; // positive: NaN is never ≥ a bound
                }
                n += hits;
                rowHits[r] = hits;
                if (!overflow && kept + hits <= col.length) {
                    System.arraycopy(s.columns, 0, col, kept, hits);
                    System.arraycopy(s.values, 0, value, kept, hits);
                    kept += hits;
                } else {
                    overflow = true;
                }
            }
            counted[part] = n;
            overflowed[part] = overflow;
        }
    }

    private void countLow(int fromPart, int toPart) {
        Scratch s = SCRATCH.get().ensure(cols);
        // The bucket's smallest positive value: bucket 0 starts at +0, which is not positive.
        float bucketStart = Math.max(Float.MIN_VALUE, Float.intBitsToFloat(highBucket << 16));
        for (int part = fromPart; part < toPart; part++) {
            int[] h = low[part];
            Arrays.fill(h, 0);
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                int hits = s.atLeast(src, r, cols, bias, bucketStart); // the bucket and the few entries above it
                for (int i = 0; i < hits; i++) {
                    int bits = Float.floatToRawIntBits(s.values[i]);
                    if (bits >>> 16 == highBucket) {
                        h[bits & 0xffff]++;
                    }
                }
            }
        }
    }

    /** {@link #countLow} over the candidates of pass (1), which hold every entry of the bucket that matters. */
    private void lowHistogramOfCandidates() {
        for (int part = 0; part < parts; part++) {
            int[] h = low[part];
            Arrays.fill(h, 0);
            float[] value = candVal[part];
            for (int i = 0; i < counted[part]; i++) {
                int bits = Float.floatToRawIntBits(value[i]);
                if (bits >>> 16 == highBucket) {
                    h[bits & 0xffff]++;
                }
            }
        }
    }

    private void countRows(int from, int to) {
        Scratch s = SCRATCH.get().ensure(cols);
        for (int r = from; r < to; r++) {
            int n = s.atLeast(src, r, cols, bias, tau);
            countRow(r, s.values, 0, n);
        }
    }

    private void countCandidateRows() {
        for (int part = 0; part < parts; part++) {
            int at = 0;
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                countRow(r, candVal[part], at, rowHits[r]);
                at += rowHits[r];
            }
        }
    }

    /** above[r] and ties[r] from row r's entries {@code values[from..from+n)}, all ≥ the bound they were found by. */
    private void countRow(int r, float[] values, int from, int n) {
        int over = 0;
        int eq = 0;
        for (int i = from; i < from + n; i++) {
            over += values[i] > tau ? 1 : 0;
            eq += values[i] == tau ? 1 : 0;
        }
        above[r] = over;
        ties[r] = eq;
    }

    private void writeRows(int from, int to) {
        Scratch s = SCRATCH.get().ensure(cols);
        for (int r = from; r < to; r++) {
            int n = s.atLeast(src, r, cols, bias, tau);
            writeRow(r, s.columns, s.values, 0, n);
        }
    }

    private void writeCandidateRows() {
        for (int part = 0; part < parts; part++) {
            int at = 0;
            for (int r = firstRow(part); r < firstRow(part + 1); r++) {
                writeRow(r, candCol[part], candVal[part], at, rowHits[r]);
                at += rowHits[r];
            }
        }
    }

    /** Row r's kept entries, in column order, from its entries {@code columns/values[from..from+n)}. */
    private void writeRow(int r, int[] columns, float[] values, int from, int n) {
        int e = rowStart[r];
        int tiesLeft = ties[r];
        for (int i = from; i < from + n; i++) {
            float v = values[i];
            if (v < tau) {
                continue; // a candidate below the cut
            }
            if (v == tau) {
                if (tiesLeft == 0) {
                    continue;
                }
                tiesLeft--;
            }
            idx[e] = columns[i];
            val[e] = v;
            e++;
        }
    }

    private int firstRow(int part) {
        return (int) ((long) rows * part / parts);
    }

    /** Per-thread buffers, grown on first use and kept. */
    private static final class Scratch {
        float[] row = new float[0];     // [cols] one row, biased
        int[] columns = new int[0];     // [cols] the columns a scan found, in order
        float[] values = new float[0];  // [cols] their values

        Scratch ensure(int cols) {
            if (row.length < cols) {
                row = new float[cols];
                columns = new int[cols];
                values = new float[cols];
            }
            return this;
        }

        /** Row r of src, biased, into {@link #row}; its entries ≥ bound into columns/values; returns how many. */
        int atLeast(ByteBuffer src, int r, int cols, float[] bias, float bound) {
            FloatOps.loadBiased(src, 4 * r * cols, bias, cols, row);
            return FloatOps.collectAtLeast(row, 0, cols, bound, columns, values, 0, cols);
        }
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
