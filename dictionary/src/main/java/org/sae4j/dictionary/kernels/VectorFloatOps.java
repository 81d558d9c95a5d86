package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD bodies of {@link FloatOps} (Vector API, incubating in Java 17). Loaded only when
 * {@link FloatOps#SIMD} is true, so a JVM without {@code jdk.incubator.vector} never touches this class. Each method
 * does what its scalar twin in the caller does; tails shorter than a vector run scalar.
 */
final class VectorFloatOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorFloatOps() {
    }

    static int lanes() {
        return L;
    }

    static float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        // Two accumulators hide the FMA latency; more did not help (the operands come from L2 or memory).
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, aFrom + i).fma(FloatVector.fromArray(S, b, bFrom + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aFrom + i + L).fma(FloatVector.fromArray(S, b, bFrom + i + L), acc1);
        }
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromArray(S, a, aFrom + i).fma(FloatVector.fromArray(S, b, bFrom + i), acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aFrom + i] * b[bFrom + i];
        }
        return s;
    }

    static boolean allFinite(float[] a, int from, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector acc = zero;
        int i = 0;
        for (; i <= n - L; i += L) {
            acc = FloatVector.fromArray(S, a, from + i).fma(zero, acc);
        }
        float tail = 0f;
        for (; i < n; i++) {
            tail += a[from + i] * 0f;
        }
        return acc.reduceLanes(VectorOperators.ADD) + tail == 0f;
    }

    static void axpy(float alpha, float[] x, int xFrom, float[] y, int yFrom, int n) {
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xFrom + i).fma(av, FloatVector.fromArray(S, y, yFrom + i))
                    .intoArray(y, yFrom + i);
        }
        for (; i < n; i++) {
            y[yFrom + i] += alpha * x[xFrom + i];
        }
    }

    static void dot4(float[] x, int x0, int x1, int x2, int x3, float[] w, int wFrom, int n, float[] out) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector wi = FloatVector.fromArray(S, w, wFrom + i);
            s0 = FloatVector.fromArray(S, x, x0 + i).fma(wi, s0);
            s1 = FloatVector.fromArray(S, x, x1 + i).fma(wi, s1);
            s2 = FloatVector.fromArray(S, x, x2 + i).fma(wi, s2);
            s3 = FloatVector.fromArray(S, x, x3 + i).fma(wi, s3);
        }
        float r0 = s0.reduceLanes(VectorOperators.ADD);
        float r1 = s1.reduceLanes(VectorOperators.ADD);
        float r2 = s2.reduceLanes(VectorOperators.ADD);
        float r3 = s3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float wi = w[wFrom + i];
            r0 += x[x0 + i] * wi;
            r1 += x[x1 + i] * wi;
            r2 += x[x2 + i] * wi;
            r3 += x[x3 + i] * wi;
        }
        out[0] = r0;
        out[1] = r1;
        out[2] = r2;
        out[3] = r3;
    }

    static void axpy4(float a0, int x0, float a1, int x1, float a2, int x2, float a3, int x3, float[] x, float[] y,
                      int yFrom, int n) {
        FloatVector v0 = FloatVector.broadcast(S, a0);
        FloatVector v1 = FloatVector.broadcast(S, a1);
        FloatVector v2 = FloatVector.broadcast(S, a2);
        FloatVector v3 = FloatVector.broadcast(S, a3);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yFrom + i);
            acc = FloatVector.fromArray(S, x, x0 + i).fma(v0, acc);
            acc = FloatVector.fromArray(S, x, x1 + i).fma(v1, acc);
            acc = FloatVector.fromArray(S, x, x2 + i).fma(v2, acc);
            acc = FloatVector.fromArray(S, x, x3 + i).fma(v3, acc);
            acc.intoArray(y, yFrom + i);
        }
        for (; i < n; i++) {
            y[yFrom + i] += a0 * x[x0 + i] + a1 * x[x1 + i] + a2 * x[x2 + i] + a3 * x[x3 + i];
        }
    }

    static void axpy4Dot4(float a0, int x0, float a1, int x1, float a2, int x2, float a3, int x3, float[] x,
                          float[] y, int yFrom, float[] w, int wFrom, int n, float[] out) {
        FloatVector v0 = FloatVector.broadcast(S, a0);
        FloatVector v1 = FloatVector.broadcast(S, a1);
        FloatVector v2 = FloatVector.broadcast(S, a2);
        FloatVector v3 = FloatVector.broadcast(S, a3);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector r0 = FloatVector.fromArray(S, x, x0 + i);
            FloatVector r1 = FloatVector.fromArray(S, x, x1 + i);
            FloatVector r2 = FloatVector.fromArray(S, x, x2 + i);
            FloatVector r3 = FloatVector.fromArray(S, x, x3 + i);
            FloatVector wi = FloatVector.fromArray(S, w, wFrom + i);
            FloatVector acc = FloatVector.fromArray(S, y, yFrom + i);
            acc = r0.fma(v0, acc);
            acc = r1.fma(v1, acc);
            acc = r2.fma(v2, acc);
            acc = r3.fma(v3, acc);
            acc.intoArray(y, yFrom + i);
            s0 = r0.fma(wi, s0);
            s1 = r1.fma(wi, s1);
            s2 = r2.fma(wi, s2);
            s3 = r3.fma(wi, s3);
        }
        float d0 = s0.reduceLanes(VectorOperators.ADD);
        float d1 = s1.reduceLanes(VectorOperators.ADD);
        float d2 = s2.reduceLanes(VectorOperators.ADD);
        float d3 = s3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            y[yFrom + i] += a0 * x[x0 + i] + a1 * x[x1 + i] + a2 * x[x2 + i] + a3 * x[x3 + i];
            float wi = w[wFrom + i];
            d0 += x[x0 + i] * wi;
            d1 += x[x1 + i] * wi;
            d2 += x[x2 + i] * wi;
            d3 += x[x3 + i] * wi;
        }
        out[0] = d0;
        out[1] = d1;
        out[2] = d2;
        out[3] = d3;
    }

    static int biasAndBlockMax(float[] row, float[] bias, int cols, int width, float[] out) {
        int b = 0;
        int c = 0;
        for (; c + width <= cols; c += width, b++) {
            // Two running maxima: independent chains, so the max latency does not bound the loop.
            FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            FloatVector m1 = m0;
            int i = c;
            for (; i + 2 * L <= c + width; i += 2 * L) {
                FloatVector v0 = FloatVector.fromArray(S, row, i).add(FloatVector.fromArray(S, bias, i));
                FloatVector v1 = FloatVector.fromArray(S, row, i + L).add(FloatVector.fromArray(S, bias, i + L));
                v0.intoArray(row, i);
                v1.intoArray(row, i + L);
                m0 = m0.max(v0);
                m1 = m1.max(v1);
            }
            for (; i + L <= c + width; i += L) {
                FloatVector v0 = FloatVector.fromArray(S, row, i).add(FloatVector.fromArray(S, bias, i));
                v0.intoArray(row, i);
                m0 = m0.max(v0);
            }
            float m = m0.max(m1).reduceLanes(VectorOperators.MAX);
            for (; i < c + width; i++) { // a width that is not a multiple of L
                row[i] += bias[i];
                m = Math.max(m, row[i]);
            }
            out[b] = m;
        }
        if (c < cols) { // the last, short block
            float m = Float.NEGATIVE_INFINITY;
            for (int i = c; i < cols; i++) {
                row[i] += bias[i];
                m = Math.max(m, row[i]);
            }
            out[b++] = m;
        }
        return b;
    }

    static int countAtLeast(float[] a, int n, float t) {
        FloatVector tv = FloatVector.broadcast(S, t);
        int count = 0;
        int i = 0;
        for (; i <= n - L; i += L) {
            count += FloatVector.fromArray(S, a, i).compare(VectorOperators.GE, tv).trueCount();
        }
        for (; i < n; i++) {
            count += a[i] >= t ? 1 : 0;
        }
        return count;
    }

    static int collectAtLeast(ByteBuffer src, int at, float[] bias, int cols, float threshold, int[] out,
                              int capacity) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        FloatVector t = FloatVector.broadcast(S, threshold);
        int n = 0;
        int c = 0;
        for (; c <= cols - L; c += L) {
            VectorMask<Float> hit = FloatVector.fromByteBuffer(S, src, at + 4 * c, le)
                    .add(FloatVector.fromArray(S, bias, c)).compare(VectorOperators.GE, t);
            if (hit.anyTrue()) {
                for (int lane = 0; lane < L; lane++) {
                    if (src.getFloat(at + 4 * (c + lane)) + bias[c + lane] >= threshold) {
                        if (n == capacity) {
                            return -1;
                        }
                        out[n++] = c + lane;
                    }
                }
            }
        }
        for (; c < cols; c++) {
            if (src.getFloat(at + 4 * c) + bias[c] >= threshold) {
                if (n == capacity) {
                    return -1;
                }
                out[n++] = c;
            }
        }
        return n;
    }

    static int collectAtLeast(float[] row, int from, int to, float threshold, int[] out, float[] values, int n,
                              int capacity) {
        FloatVector t = FloatVector.broadcast(S, threshold);
        int c = from;
        for (; c <= to - L && n >= 0; c += L) {
            if (FloatVector.fromArray(S, row, c).compare(VectorOperators.GE, t).anyTrue()) {
                // A hit vector's lanes one by one, from L1 (VectorMask.toLong, to walk the bits, is not an
                // intrinsic in Java 17 and was ~3× slower here).
                n = FloatOps.collectAtLeastScalar(row, c, c + L, threshold, out, values, n, capacity);
            }
        }
        return n < 0 ? n : FloatOps.collectAtLeastScalar(row, c, to, threshold, out, values, n, capacity);
    }

    static void loadBiased(ByteBuffer src, int at, float[] bias, int cols, float[] dst) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector.fromByteBuffer(S, src, at + 4 * c, le).add(FloatVector.fromArray(S, bias, c)).intoArray(dst, c);
        }
        for (; c < cols; c++) {
            dst[c] = src.getFloat(at + 4 * c) + bias[c];
        }
    }

    /**
     * {@code out[d·stride + j0 + jj] = tile[jj·dIn + d]} for jj < width and d < dIn (out a little-endian native
     * float array): a [width, dIn] tile written transposed, L columns at a time by a gather from the tile (in cache)
     * and one vector store per row d. Columns past the last multiple of L are left to the caller; returns where
     * they start.
     */
    static int putTransposed(float[] tile, int width, int dIn, ByteBuffer out, int stride, int j0, int[] gatherMap) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        int full = width - width % L;
        for (int jj = 0; jj < full; jj += L) {
            for (int d = 0; d < dIn; d++) {
                FloatVector.fromArray(S, tile, jj * dIn + d, gatherMap, 0)
                        .intoByteBuffer(out, 4 * (d * stride + j0 + jj), le);
            }
        }
        return full;
    }

    /** The gather map for {@link #putTransposed}: lane l reads l·dIn past the base. */
    static int[] transposeMap(int dIn) {
        int[] map = new int[L];
        for (int l = 0; l < L; l++) {
            map[l] = l * dIn;
        }
        return map;
    }

    static int firstAbove(float[] row, int rowFrom, float[] bias, int from, int to, float threshold) {
        FloatVector t = FloatVector.broadcast(S, threshold);
        int c = from;
        for (; c <= to - L; c += L) {
            VectorMask<Float> above = FloatVector.fromArray(S, row, rowFrom + c)
                    .add(FloatVector.fromArray(S, bias, c)).compare(VectorOperators.GT, t);
            if (above.anyTrue()) {
                return c + above.firstTrue();
            }
        }
        for (; c < to; c++) {
            if (row[rowFrom + c] + bias[c] > threshold) {
                return c;
            }
        }
        return to;
    }
}
