package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Per-row top-k selection: for each row of a [rows, cols] matrix plus a per-column bias, the k largest entries and
 * their columns, written in descending order of value, ties broken toward the lower column. ND4J's {@code top_k}
 * op took 6–8 s at {@code N=4096, dSae=16384} here.
 *
 * <p>Wide rows (the encoder's [N, dSae] output) are copied once from native memory into heap scratch (a memcpy,
 * which reads native memory faster than vector loads through a ByteBuffer), then biased in place while the same
 * pass takes the row's block maxima; τ, the k-th largest block maximum, is no larger than the row's k-th value, and
 * only the few columns ≥ τ are collected from the row (now in L2) and sorted. Narrow rows, candidate lists (AuxK's
 * dead latents) and rows the threshold cannot handle (NaN, floods of ties) take a scan that keeps the k best so
 * far in a min-heap whose root is the weakest of them; an entry enters only if it beats the root, found by a SIMD
 * search ({@link FloatOps#firstAbove}). The bias is added on the fly: b_enc is never added in a separate pass over
 * the GEMM's [rows, dSae] output in native memory.
 */
public final class TopK {
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Selection> SELECTION = ThreadLocal.withInitial(Selection::new);

    private TopK() {
    }

    /**
     * @param src  [rows, cols] row-major, a little-endian native view ({@link Nio#bytes}); under 2 GiB
     * @param bias [cols] added to every row before comparing; the values written include it
     * @param cand candidate columns to choose from (ascending), or null for all columns
     * @param nCand number of candidates used from {@code cand}
     * @param idx  out: [rows, k] chosen columns; when fewer than k candidates exist the tail holds -1
     * @param val  out: [rows, k] their values (the tail: 0)
     */
    public static void select(ByteBuffer src, float[] bias, int rows, int cols, int[] cand, int nCand, int k,
                              int[] idx, float[] val) {
        Selection job = SELECTION.get();
        job.src = src;
        job.bias = bias;
        job.cols = cols;
        job.cand = cand;
        job.available = cand == null ? cols : nCand;
        job.k = k;
        job.threshold = usesThreshold(cand, cols, k);
        job.idx = idx;
        job.val = val;
        Parallel.runJob(rows, 4, job);
    }

    /** One call of {@link #select}: its arguments and its loop over rows. */
    private static final class Selection extends Parallel.Job {
        ByteBuffer src;
        float[] bias;
        int cols;
        int[] cand;
        int available;
        int k;
        boolean threshold;
        int[] idx;
        float[] val;

        @Override
        public void run(int from, int to) {
            Scratch s = SCRATCH.get().ensure(cols, k);
            FloatBuffer floats = threshold ? s.floatsOf(src) : null;
            for (int r = from; r < to; r++) {
                int filled = k;
                if (threshold) {
                    floats.get(r * cols, s.row, 0, cols); // [cols], biased in place below
                    if (!selectAboveBlockThreshold(s.row, bias, cols, k, s)) {
                        filled = heapScan(s.row, 0, s.zeros, cols, null, cols, k, s.heapVal, s.heapIdx);
                        sortDescending(s.heapVal, s.heapIdx, filled);
                    }
                } else {
                    FloatOps.loadBiased(src, 4 * r * cols, bias, cols, s.row);
                    filled = heapScan(s.row, 0, s.zeros, cols, cand, available, k, s.heapVal, s.heapIdx);
                    sortDescending(s.heapVal, s.heapIdx, filled);
                }
                int o = r * k;
                for (int t = 0; t < k; t++) {
                    idx[o + t] = t < filled ? s.heapIdx[t] : -1;
                    val[o + t] = t < filled ? s.heapVal[t] : 0f;
                }
            }
        }

        @Override
        protected void clear() {
            src = null;
            bias = null;
            cand = null;
            idx = null;
            val = null;
        }
    }

    /** Whether the block-threshold path pays: all columns, and at least 16 of them per selected one. */
    private static boolean usesThreshold(int[] cand, int cols, int k) {
        return cand == null && cols >= 16L * k;
    }

    /**
     * Columns per block in {@link FloatOps#biasAndBlockMax}, a multiple of the SIMD width: about 4k blocks, so τ
     * sits near the top quarter of the block maxima and the columns at or above it are few more than k.
     */
    private static int blockWidth(int cols, int k) {
        return FloatOps.LANES * (int) Math.max(1, cols / (4L * k * FloatOps.LANES));
    }

    /** The heap over every column (or candidate) in order; returns how many were kept (min(k, available)). */
    private static int heapScan(float[] row, int rowFrom, float[] bias, int cols, int[] cand, int available, int k,
                                float[] heapVal, int[] heapIdx) {
        int filled = Math.min(k, available);
        for (int t = 0; t < filled; t++) {
            int c = cand == null ? t : cand[t];
            heapVal[t] = row[rowFrom + c] + bias[c];
            heapIdx[t] = c;
        }
        if (filled == k) {
            heapify(heapVal, heapIdx, k);
            if (cand == null) {
                scanAll(row, rowFrom, bias, cols, k, heapVal, heapIdx);
            } else {
                scanCandidates(row, rowFrom, bias, cand, available, k, heapVal, heapIdx);
            }
        }
        return filled;
    }

    /**
     * The threshold path on a row copied to heap scratch: (1) bias the row in place and take the maximum of every
     * block of consecutive columns (about 4k blocks, see {@link #blockWidth}); any τ that at least k block maxima
     * reach is a lower bound on the row's k-th largest value (those k blocks each hold a value ≥ τ), and
     * {@link #threshold} finds one close to the k-th largest maximum; (2) collect the columns ≥ τ, in order, from
     * the blocks whose maximum reaches τ (a little over k columns in about k blocks; no other block can hold one),
     * and sort just those. Every column below τ would have lost, and ties at τ are all collected, so the result is
     * the full scan's. Returns false, deciding nothing, when a NaN, an infinity or a flood of ties defeats it (the
     * row is then left biased); else leaves the k best, in order, in s.heapVal/s.heapIdx.
     */
    private static boolean selectAboveBlockThreshold(float[] row, float[] bias, int cols, int k, Scratch s) {
        int width = blockWidth(cols, k);
        int blocks = FloatOps.biasAndBlockMax(row, bias, cols, width, s.blockMax);
        float tau = threshold(s.blockMax, blocks, k);
        if (Float.isNaN(tau)) {
            return false;
        }
        int n = FloatOps.collectAtLeastInBlocks(row, cols, width, s.blockMax, blocks, tau, s.cand, s.candVal,
                s.cand.length); // from L2
        if (n < k) { // overflow (−1)
            return false;
        }
        // The few candidates, sorted by one long key each: (value desc, position asc). Candidates come in column
        // order, so position order is column order: the reference's (value desc, column asc).
        long[] keys = s.keys;
        for (int i = 0; i < n; i++) {
            keys[i] = orderKey(s.candVal[i], i);
        }
        Arrays.sort(keys, 0, n);
        for (int t = 0; t < k; t++) {
            int i = (int) keys[t];
            s.heapIdx[t] = s.cand[i];
            s.heapVal[t] = s.candVal[i];
        }
        return true;
    }

    /**
     * A τ with at least k of the block maxima {@code m[0..n)} ≥ τ (k ≤ n), within (max − min)/2^12 of the k-th
     * largest of them: bisection on the value, each step one SIMD count over the maxima. It replaced a k-heap over
     * the maxima, then a quickselect, each of which took as long as a pass over the row. NaN when a maximum is NaN
     * or infinite.
     */
    static float threshold(float[] m, int n, int k) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int b = 0; b < n; b++) {
            lo = Math.min(lo, m[b]);
            hi = Math.max(hi, m[b]);
        }
        if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
            return Float.NaN;
        }
        // Invariant: at least k maxima are ≥ lo (all n are ≥ the minimum), and fewer than k are ≥ hi unless hi = lo.
        for (int step = 0; step < 12; step++) {
            float mid = lo + (hi - lo) * 0.5f;
            if (mid <= lo || mid >= hi) {
                break; // adjacent floats
            }
            if (FloatOps.countAtLeast(m, n, mid) >= k) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A long that sorts ascending as (value descending, then column ascending); −0 counts as 0, like the heap. */
    private static long orderKey(float value, int column) {
        int bits = Float.floatToRawIntBits(value == 0f ? 0f : value);
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // monotone in the float's value
        return ((long) ~sortable << 32) | column;
    }

    private static void heapify(float[] heapVal, int[] heapIdx, int k) {
        for (int t = k / 2 - 1; t >= 0; t--) {
            siftDown(heapVal, heapIdx, k, t);
        }
    }

    private static void scanAll(float[] row, int rowFrom, float[] bias, int cols, int k, float[] heapVal,
                                int[] heapIdx) {
        // Strictly greater: an equal value at a higher column never displaces the earlier one.
        int c = k;
        while ((c = FloatOps.firstAbove(row, rowFrom, bias, c, cols, heapVal[0])) < cols) {
            heapVal[0] = row[rowFrom + c] + bias[c];
            heapIdx[0] = c;
            siftDown(heapVal, heapIdx, k, 0);
            c++;
        }
    }

    private static void scanCandidates(float[] row, int rowFrom, float[] bias, int[] cand, int available, int k,
                                       float[] heapVal, int[] heapIdx) {
        float minVal = heapVal[0];
        for (int t = k; t < available; t++) {
            int c = cand[t];
            float v = row[rowFrom + c] + bias[c];
            if (v > minVal) {
                heapVal[0] = v;
                heapIdx[0] = c;
                siftDown(heapVal, heapIdx, k, 0);
                minVal = heapVal[0];
            }
        }
    }

    /** Min-heap on "weaker": smaller value, and among equals the higher column; the root is the weakest kept. */
    private static void siftDown(float[] v, int[] c, int n, int i) {
        float vi = v[i];
        int ci = c[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            int right = child + 1;
            if (right < n && weaker(v[right], c[right], v[child], c[child])) {
                child = right;
            }
            if (!weaker(v[child], c[child], vi, ci)) {
                break;
            }
            v[i] = v[child];
            c[i] = c[child];
            i = child;
        }
        v[i] = vi;
        c[i] = ci;
    }

    private static boolean weaker(float va, int ca, float vb, int cb) {
        return va < vb || (va == vb && ca > cb);
    }

    /** Insertion sort by (value desc, column asc); k is small. */
    private static void sortDescending(float[] v, int[] c, int n) {
        for (int i = 1; i < n; i++) {
            float vi = v[i];
            int ci = c[i];
            int j = i - 1;
            while (j >= 0 && (v[j] < vi || (v[j] == vi && c[j] > ci))) {
                v[j + 1] = v[j];
                c[j + 1] = c[j];
                j--;
            }
            v[j + 1] = vi;
            c[j + 1] = ci;
        }
    }

    /** Plain reference: sort every candidate of the row by (value + bias desc, column asc) and keep the first k. */
    public static void selectReference(float[] src, float[] bias, int rows, int cols, int[] cand, int nCand, int k,
                                       int[] idx, float[] val) {
        int available = cand == null ? cols : nCand;
        for (int r = 0; r < rows; r++) {
            Integer[] order = new Integer[available];
            float[] v = new float[cols];
            for (int c = 0; c < cols; c++) {
                v[c] = src[r * cols + c] + (bias == null ? 0f : bias[c]);
            }
            for (int t = 0; t < available; t++) {
                order[t] = cand == null ? t : cand[t];
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(c -> -v[c]).thenComparingInt(c -> c));
            for (int t = 0; t < k; t++) {
                idx[r * k + t] = t < available ? order[t] : -1;
                val[r * k + t] = t < available ? v[order[t]] : 0f;
            }
        }
    }

    /** Per-thread buffers, grown on first use and kept: the scan allocates nothing per call. */
    private static final class Scratch {
        float[] row = new float[0];
        float[] heapVal = new float[0];
        int[] heapIdx = new int[0];
        float[] blockMax = new float[0];
        int[] cand = new int[0];
        float[] candVal = new float[0]; // the candidates' biased values
        long[] keys = new long[0];
        float[] zeros = new float[0]; // a bias of 0, for rows whose bias is already added
        private ByteBuffer viewOf;     // the last source seen, and a float view of it: made once, not per call
        private FloatBuffer floats;

        FloatBuffer floatsOf(ByteBuffer src) {
            if (src != viewOf) {
                viewOf = src;
                floats = src.duplicate().order(src.order()).position(0).asFloatBuffer();
            }
            return floats;
        }

        Scratch ensure(int cols, int k) {
            if (row.length < cols) {
                row = new float[cols];
                zeros = new float[cols];
            }
            if (blockMax.length < cols / blockWidth(cols, k) + 1) {
                blockMax = new float[cols / blockWidth(cols, k) + 1];
            }
            if (cand.length < 16 * k + 256) {
                cand = new int[16 * k + 256]; // columns ≥ τ: typically under 3k; more falls back to the plain heap
                candVal = new float[cand.length];
                keys = new long[cand.length];
            }
            if (heapVal.length < k) {
                heapVal = new float[k];
                heapIdx = new int[k];
            }
            return this;
        }
    }
}
