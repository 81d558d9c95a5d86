package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import org.sae4j.formats.Simd;

/**
 * The innermost loops of the kernels, on heap {@code float[]} slices: a SIMD body through the Vector API when the
 * JVM was started with {@code --add-modules jdk.incubator.vector} (the {@code ./sae4j} launcher, the tests and the
 * benchmarks do), else a plain scalar body. HotSpot (17) vectorizes neither a float dot product (it keeps the adds
 * in order) nor an early-exit scan; the Vector API body was ~3× faster for the dot product alone here.
 *
 * <p>The two bodies may differ in the last bits of a sum (a different summation order), never in which element a
 * scan finds. {@code -Dsae4j.simd=false} forces the scalar bodies.
 */
public final class FloatOps {
    /** Whether the SIMD bodies run: {@link Simd#ENABLED}. */
    public static final boolean SIMD = Simd.ENABLED;

    private FloatOps() {
    }

    /** {@code Σ_i a[aFrom+i] · b[bFrom+i]} for i < n. */
    public static float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        return SIMD ? VectorFloatOps.dot(a, aFrom, b, bFrom, n) : dotScalar(a, aFrom, b, bFrom, n);
    }

    /**
     * Whether {@code a[from..from+n)} holds no NaN and no infinity: Σ a[i]·0 is 0 exactly when every a[i] is
     * finite (NaN·0 and ∞·0 are NaN), and unlike a plain sum it cannot overflow.
     */
    public static boolean allFinite(float[] a, int from, int n) {
        return SIMD ? VectorFloatOps.allFinite(a, from, n) : allFiniteScalar(a, from, n);
    }

    static boolean allFiniteScalar(float[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code y[yFrom+i] += alpha · x[xFrom+i]} for i < n. */
    public static void axpy(float alpha, float[] x, int xFrom, float[] y, int yFrom, int n) {
        if (SIMD) {
            VectorFloatOps.axpy(alpha, x, xFrom, y, yFrom, n);
        } else {
            axpyScalar(alpha, x, xFrom, y, yFrom, n);
        }
    }

    /**
     * {@code out[q] = Σ_i x[xq+i] · w[wFrom+i]} for q = 0..3: four dot products against one vector in one loop. The
     * four x rows are usually far apart in memory (rows of a batch picked by a sparse code); streaming them together
     * keeps four cache misses in flight instead of one, and w is read once.
     */
    public static void dot4(float[] x, int x0, int x1, int x2, int x3, float[] w, int wFrom, int n, float[] out) {
        if (SIMD) {
            VectorFloatOps.dot4(x, x0, x1, x2, x3, w, wFrom, n, out);
        } else {
            out[0] = dotScalar(x, x0, w, wFrom, n);
            out[1] = dotScalar(x, x1, w, wFrom, n);
            out[2] = dotScalar(x, x2, w, wFrom, n);
            out[3] = dotScalar(x, x3, w, wFrom, n);
        }
    }

    /**
     * {@code y[yFrom+i] += a0·x[x0+i] + a1·x[x1+i] + a2·x[x2+i] + a3·x[x3+i]}: four scattered rows of x added in one
     * pass over y (four misses in flight, y loaded and stored once instead of four times).
     */
    public static void axpy4(float a0, int x0, float a1, int x1, float a2, int x2, float a3, int x3, float[] x,
                             float[] y, int yFrom, int n) {
        if (SIMD) {
            VectorFloatOps.axpy4(a0, x0, a1, x1, a2, x2, a3, x3, x, y, yFrom, n);
        } else {
            for (int i = 0; i < n; i++) {
                y[yFrom + i] += a0 * x[x0 + i] + a1 * x[x1 + i] + a2 * x[x2 + i] + a3 * x[x3 + i];
            }
        }
    }

    /**
     * {@link #axpy4} and, in the same pass over the four rows, their dot products with w:
     * {@code y += Σ a_q·x[x_q]} and {@code out[q] = x[x_q] · w[wFrom..]}. The backward's dW_dec pass: the rows
     * (scattered over a batch) are read once for both.
     */
    public static void axpy4Dot4(float a0, int x0, float a1, int x1, float a2, int x2, float a3, int x3, float[] x,
                                 float[] y, int yFrom, float[] w, int wFrom, int n, float[] out) {
        if (SIMD) {
            VectorFloatOps.axpy4Dot4(a0, x0, a1, x1, a2, x2, a3, x3, x, y, yFrom, w, wFrom, n, out);
        } else {
            axpy4(a0, x0, a1, x1, a2, x2, a3, x3, x, y, yFrom, n);
            out[0] = dotScalar(x, x0, w, wFrom, n);
            out[1] = dotScalar(x, x1, w, wFrom, n);
            out[2] = dotScalar(x, x2, w, wFrom, n);
            out[3] = dotScalar(x, x3, w, wFrom, n);
        }
    }

    /** {@code y[yFrom+i] *= alpha} for i < n. */
    public static void scale(float alpha, float[] y, int yFrom, int n) {
        for (int i = 0; i < n; i++) { // HotSpot vectorizes this one itself
            y[yFrom + i] *= alpha;
        }
    }

    /**
     * The first column c in [from, to) with {@code row[rowFrom+c] + bias[c] > threshold}, or {@code to} if none.
     * NaN is never above. The top-k scan: after the first few hundred columns almost nothing beats the k-th best.
     */
    public static int firstAbove(float[] row, int rowFrom, float[] bias, int from, int to, float threshold) {
        return SIMD ? VectorFloatOps.firstAbove(row, rowFrom, bias, from, to, threshold)
                : firstAboveScalar(row, rowFrom, bias, from, to, threshold);
    }

    /** Lanes of the SIMD bodies (16 with AVX-512), or 16 for the scalar bodies: the width the SIMD kernels are tuned to. */
    public static final int LANES = SIMD ? VectorFloatOps.lanes() : 16;

    // ---- scans of one row of a native [rows, cols] matrix (the encoder GEMM's output) plus a bias ----
    // src is a little-endian native view (Nio.bytes), at the byte offset of the row.

    /**
     * Adds the bias to a row in heap scratch, in place ({@code row[c] += bias[c]}), and writes the maximum of each
     * block of {@code width} consecutive columns (the last may be short) to {@code out}; returns the number of blocks,
     * ⌈cols / width⌉. A block holding a NaN has maximum NaN. {@code width} should be a multiple of {@link #LANES}.
     */
    public static int biasAndBlockMax(float[] row, float[] bias, int cols, int width, float[] out) {
        return SIMD ? VectorFloatOps.biasAndBlockMax(row, bias, cols, width, out)
                : biasAndBlockMaxScalar(row, bias, cols, width, out);
    }

    /** How many of {@code a[0..n)} are ≥ t (NaN never is). */
    public static int countAtLeast(float[] a, int n, float t) {
        if (SIMD) {
            return VectorFloatOps.countAtLeast(a, n, t);
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += a[i] >= t ? 1 : 0;
        }
        return count;
    }

    /**
     * {@link #collectAtLeast(float[], int, float, int[], float[], int)} restricted to the blocks of {@code width}
     * columns whose maximum ({@link #biasAndBlockMax}) is ≥ threshold: no other block can hold a hit.
     */
    public static int collectAtLeastInBlocks(float[] row, int cols, int width, float[] blockMax, int blocks,
                                             float threshold, int[] out, float[] values, int capacity) {
        int n = 0;
        for (int b = 0; b < blocks && n >= 0; b++) {
            if (blockMax[b] >= threshold) {
                int from = b * width;
                int to = Math.min(cols, from + width);
                n = SIMD ? VectorFloatOps.collectAtLeast(row, from, to, threshold, out, values, n, capacity)
                        : collectAtLeastScalar(row, from, to, threshold, out, values, n, capacity);
            }
        }
        return n;
    }

    /**
     * Writes to {@code out}, in ascending order, every column c with {@code src[c] + bias[c] >= threshold}; returns
     * how many there were, or −1 as soon as there are more than {@code capacity}.
     */
    public static int collectAtLeast(ByteBuffer src, int at, float[] bias, int cols, float threshold, int[] out,
                                     int capacity) {
        return SIMD ? VectorFloatOps.collectAtLeast(src, at, bias, cols, threshold, out, capacity)
                : collectAtLeastScalar(src, at, bias, cols, threshold, out, capacity);
    }

    /**
     * Appends to {@code out} (after the {@code n} already there) every column c in [from, to) with
     * {@code row[c] >= threshold}, in order, and its value to {@code values}; returns the new count, or −1 past
     * {@code capacity}. NaN is never collected.
     */
    static int collectAtLeast(float[] row, int from, int to, float threshold, int[] out, float[] values, int n,
                              int capacity) {
        return SIMD ? VectorFloatOps.collectAtLeast(row, from, to, threshold, out, values, n, capacity)
                : collectAtLeastScalar(row, from, to, threshold, out, values, n, capacity);
    }

    /** {@code dst[c] = src[c] + bias[c]} for c < cols: the row, biased, into heap scratch. */
    public static void loadBiased(ByteBuffer src, int at, float[] bias, int cols, float[] dst) {
        if (SIMD) {
            VectorFloatOps.loadBiased(src, at, bias, cols, dst);
        } else {
            src.asFloatBuffer().get(at / 4, dst, 0, cols);
            for (int c = 0; c < cols; c++) {
                dst[c] += bias[c];
            }
        }
    }

    public static int biasAndBlockMaxScalar(float[] row, float[] bias, int cols, int width, float[] out) {
        int blocks = (cols + width - 1) / width;
        for (int b = 0; b < blocks; b++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int c = b * width; c < Math.min(cols, (b + 1) * width); c++) {
                row[c] += bias[c];
                m = Math.max(m, row[c]); // NaN stays NaN
            }
            out[b] = m;
        }
        return blocks;
    }

    /**
     * Appends to {@code out} (after the {@code n} already there) every column c in [from, to) with
     * {@code row[c] >= threshold}, and its value to {@code values}; returns the new count, or −1 past
     * {@code capacity}.
     */
    static int collectAtLeastScalar(float[] row, int from, int to, float threshold, int[] out, float[] values, int n,
                                    int capacity) {
        for (int c = from; c < to; c++) {
            float v = row[c];
            if (v >= threshold) {
                if (n == capacity) {
                    return -1;
                }
                values[n] = v;
                out[n++] = c;
            }
        }
        return n;
    }

    public static int collectAtLeastScalar(ByteBuffer src, int at, float[] bias, int cols, float threshold,
                                           int[] out, int capacity) {
        int n = 0;
        for (int c = 0; c < cols; c++) {
            if (src.getFloat(at + 4 * c) + bias[c] >= threshold) {
                if (n == capacity) {
                    return -1;
                }
                out[n++] = c;
            }
        }
        return n;
    }

    public static float dotScalar(float[] a, int aFrom, float[] b, int bFrom, int n) {
        // Four partial sums: independent add chains, ~3× a single one.
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i <= n - 4; i += 4) {
            s0 += a[aFrom + i] * b[bFrom + i];
            s1 += a[aFrom + i + 1] * b[bFrom + i + 1];
            s2 += a[aFrom + i + 2] * b[bFrom + i + 2];
            s3 += a[aFrom + i + 3] * b[bFrom + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aFrom + i] * b[bFrom + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    public static void axpyScalar(float alpha, float[] x, int xFrom, float[] y, int yFrom, int n) {
        for (int i = 0; i < n; i++) {
            y[yFrom + i] += alpha * x[xFrom + i];
        }
    }

    public static int firstAboveScalar(float[] row, int rowFrom, float[] bias, int from, int to, float threshold) {
        for (int c = from; c < to; c++) {
            if (row[rowFrom + c] + bias[c] > threshold) {
                return c;
            }
        }
        return to;
    }
}
