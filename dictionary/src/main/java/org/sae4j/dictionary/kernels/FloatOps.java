package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;

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
    /** Whether the SIMD bodies run. */
    public static final boolean SIMD = !"false".equals(System.getProperty("sae4j.simd"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private FloatOps() {
    }

    /** {@code Σ_i a[aFrom+i] · b[bFrom+i]} for i < n. */
    public static float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        return SIMD ? VectorFloatOps.dot(a, aFrom, b, bFrom, n) : dotScalar(a, aFrom, b, bFrom, n);
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
     * Two {@link #axpy4} at once over the same four row offsets of two matrices: {@code ya += Σ a_q·xa[x_q]} and
     * {@code yb += Σ b_q·xb[x_q]}. Eight scattered rows stream together (eight misses in flight instead of four).
     */
    public static void axpy4Pair(float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3,
                                 int x0, int x1, int x2, int x3, float[] xa, float[] ya, float[] xb, float[] yb,
                                 int yFrom, int n) {
        if (SIMD) {
            VectorFloatOps.axpy4Pair(a0, a1, a2, a3, b0, b1, b2, b3, x0, x1, x2, x3, xa, ya, xb, yb, yFrom, n);
        } else {
            axpy4(a0, x0, a1, x1, a2, x2, a3, x3, xa, ya, yFrom, n);
            axpy4(b0, x0, b1, x1, b2, x2, b3, x3, xb, yb, yFrom, n);
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

    /** Lanes of the SIMD bodies (16 with AVX-512), or 16 for the scalar bodies: the width of {@link #groupMax}. */
    public static final int LANES = SIMD ? VectorFloatOps.lanes() : 16;

    // ---- scans of one row of a native [rows, cols] matrix (the encoder GEMM's output) plus a bias ----
    // src is a little-endian native view (Nio.bytes), at the byte offset of the row.

    /**
     * Maxima of (src + bias) over a partition of the row into blocks that SIMD forms without a horizontal
     * reduction: column c belongs to block {@code (c / (LANES·group))·LANES + c % LANES}, i.e. each run of
     * {@code group} vectors yields LANES block maxima, one per lane. Returns the number of blocks,
     * {@code ⌊cols/(LANES·group)⌋·LANES + min(LANES, remainder)}; NaN if a block holds a NaN. Reads the row once,
     * writes nothing but the maxima.
     */
    public static int groupMax(ByteBuffer src, int at, float[] bias, int cols, int group, float[] out) {
        return SIMD ? VectorFloatOps.groupMax(src, at, bias, cols, group, out)
                : groupMaxScalar(src, at, bias, cols, LANES, group, out);
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
     * {@link #collectAtLeast} that also writes each collected column's biased value to {@code values} (same
     * positions), so the caller need not read the row again. {@code values} needs {@link #LANES} floats of room past
     * {@code capacity}: the SIMD body stores a whole vector there before keeping its hits.
     */
    public static int collectAtLeast(ByteBuffer src, int at, float[] bias, int cols, float threshold, int[] out,
                                     float[] values, int capacity) {
        if (SIMD) {
            return VectorFloatOps.collectAtLeast(src, at, bias, cols, threshold, out, values, capacity);
        }
        int n = 0;
        for (int c = 0; c < cols; c++) {
            float v = src.getFloat(at + 4 * c) + bias[c];
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

    /** {@link #groupMax} for any lane width. */
    public static int groupMaxScalar(ByteBuffer src, int at, float[] bias, int cols, int lanes, int group,
                                     float[] out) {
        int span = lanes * group;
        int blocks = cols / span * lanes + Math.min(lanes, cols % span);
        java.util.Arrays.fill(out, 0, blocks, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < cols; c++) {
            int b = c / span * lanes + c % lanes;
            out[b] = Math.max(out[b], src.getFloat(at + 4 * c) + bias[c]);
        }
        return blocks;
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
