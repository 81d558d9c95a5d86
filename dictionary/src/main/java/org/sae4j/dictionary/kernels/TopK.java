package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Per-row top-k selection: for each row of a [rows, cols] matrix plus a per-column bias, the k largest entries and
 * their columns, written in descending order of value, ties broken toward the lower column. ND4J's {@code top_k}
 * op took 6–8 s at {@code N=4096, dSae=16384} here.
 *
 * <p>The scan keeps the k best seen so far in a min-heap whose root is the weakest of them; an entry enters only if
 * it beats the root, which after the first few hundred columns almost none do. So the scan is a SIMD search for the
 * next column above the root ({@link FloatOps#firstAbove}), and the heap work is O(log k) per rare replacement.
 * The bias is added on the fly: the encoder's output is scanned as the GEMM left it, with b_enc never added in a
 * separate pass over [rows, dSae].
 */
public final class TopK {
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private TopK() {
    }

    /**
     * Rows from native memory (the encoder GEMM's output): each row is read once, with the bias added and (for the
     * threshold path) its block maxima taken on the way, into a per-thread row of heap scratch.
     *
     * @param src  [rows, cols] row-major, a little-endian native view ({@link Nio#bytes}); under 2 GiB
     * @param bias [cols] added to every row before comparing; the values written include it
     * @param cand candidate columns to choose from (ascending), or null for all columns
     * @param nCand number of candidates used from {@code cand}
     * @param idx  out: [rows, k] chosen columns; when fewer than k candidates exist the tail holds -1
     * @param val  out: [rows, k] their values (the tail: 0)
     */
    public static void select(ByteBuffer src, float[] bias, int rows, int cols, int[] cand, int nCand, int k,
                              int[] idx, float[] val) {
        int available = cand == null ? cols : nCand;
        boolean threshold = usesThreshold(cand, cols, k);
        Parallel.forRange(rows, 4, (from, to) -> {
            Scratch s = SCRATCH.get().ensure(cols, k);
            for (int r = from; r < to; r++) {
                int blocks = FloatOps.loadBiased(src, 4 * r * cols, bias, cols, s.row, group(cols, k),
                        threshold ? s.blockMax : null);
                selectRow(s.row, 0, s.zeros, cols, cand, available, k, s, idx, val, r, threshold ? blocks : -1);
            }
        });
    }

    /** The same over a heap matrix; {@code bias} may be null (zero). */
    public static void select(float[] src, float[] bias, int rows, int cols, int[] cand, int nCand, int k,
                              int[] idx, float[] val) {
        int available = cand == null ? cols : nCand;
        float[] b = bias != null ? bias : new float[cols];
        Parallel.forRange(rows, 4, (from, to) -> {
            Scratch s = SCRATCH.get().ensure(cols, k);
            for (int r = from; r < to; r++) {
                int blocks = usesThreshold(cand, cols, k)
                        ? FloatOps.groupMax(src, r * cols, b, cols, group(cols, k), s.blockMax) : -1;
                selectRow(src, r * cols, b, cols, cand, available, k, s, idx, val, r, blocks);
            }
        });
    }

    /** Whether the block-threshold path pays: all columns, and blocks of at least 4 columns. */
    private static boolean usesThreshold(int[] cand, int cols, int k) {
        return cand == null && group(cols, k) >= 4;
    }

    /**
     * Vectors per group in {@link FloatOps#groupMax}: about 4k blocks, so τ sits near the top 1/4 of block maxima
     * and the columns at or above it are few more than k.
     */
    private static int group(int cols, int k) {
        return (int) Math.max(1, cols / (4L * k));
    }

    /** One row; {@code blocks} ≥ 0 means s.blockMax holds the row's block maxima (the threshold path). */
    private static void selectRow(float[] row, int rowFrom, float[] bias, int cols, int[] cand, int available,
                                  int k, Scratch s, int[] idx, float[] val, int r, int blocks) {
        float[] heapVal = s.heapVal;
        int[] heapIdx = s.heapIdx;
        int filled;
        if (blocks >= 0 && selectAboveBlockThreshold(row, rowFrom, bias, cols, k, s, blocks)) {
            filled = k;
        } else {
            filled = heapScan(row, rowFrom, bias, cols, cand, available, k, heapVal, heapIdx);
        }
        sortDescending(heapVal, heapIdx, filled);
        int o = r * k;
        for (int t = 0; t < k; t++) {
            idx[o + t] = t < filled ? heapIdx[t] : -1;
            val[o + t] = t < filled ? heapVal[t] : 0f;
        }
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
     * Two SIMD passes instead of one scan with many early heap replacements: (1) the maximum of every block (about
     * 4k of them, see {@link FloatOps#groupMax}), and τ = the k-th largest of those maxima, a lower bound on the
     * row's k-th largest value
     * (the k best blocks each hold a value ≥ τ); (2) collect the columns ≥ τ, in order, and run the heap over them
     * alone. Every column below τ would have lost, and ties at τ are all collected, so the result is the full scan's.
     * Returns false, deciding nothing, when a NaN or a flood of ties defeats it.
     */
    private static boolean selectAboveBlockThreshold(float[] row, int rowFrom, float[] bias, int cols, int k,
                                                     Scratch s, int blocks) {
        float[] heapVal = s.heapVal;
        int[] heapIdx = s.heapIdx;
        heapScan(s.blockMax, 0, s.zeros, blocks, null, blocks, k, heapVal, heapIdx);
        float tau = heapVal[0];
        if (Float.isNaN(tau)) {
            return false;
        }
        int n = FloatOps.collectAtLeast(row, rowFrom, bias, cols, tau, s.cand, s.cand.length);
        if (n < k) { // overflow (−1), or a NaN kept a block out of the count
            return false;
        }
        heapScan(row, rowFrom, bias, cols, s.cand, n, k, heapVal, heapIdx);
        return true;
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
        float[] zeros = new float[0]; // a bias of 0, for rows whose bias is already added

        Scratch ensure(int cols, int k) {
            if (row.length < cols) {
                row = new float[cols];
                zeros = new float[cols];
            }
            if (blockMax.length < cols / Math.max(1, group(cols, k)) + FloatOps.LANES) {
                blockMax = new float[cols / Math.max(1, group(cols, k)) + FloatOps.LANES];
            }
            if (cand.length < 16 * k + 256) {
                cand = new int[16 * k + 256]; // columns ≥ τ: typically under 3k; more falls back to the plain heap
            }
            if (heapVal.length < k) {
                heapVal = new float[k];
                heapIdx = new int[k];
            }
            return this;
        }
    }
}
