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

    static void axpy4Pair(float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3, int x0,
                          int x1, int x2, int x3, float[] xa, float[] ya, float[] xb, float[] yb, int yFrom, int n) {
        FloatVector va0 = FloatVector.broadcast(S, a0);
        FloatVector va1 = FloatVector.broadcast(S, a1);
        FloatVector va2 = FloatVector.broadcast(S, a2);
        FloatVector va3 = FloatVector.broadcast(S, a3);
        FloatVector vb0 = FloatVector.broadcast(S, b0);
        FloatVector vb1 = FloatVector.broadcast(S, b1);
        FloatVector vb2 = FloatVector.broadcast(S, b2);
        FloatVector vb3 = FloatVector.broadcast(S, b3);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector acc = FloatVector.fromArray(S, ya, yFrom + i);
            acc = FloatVector.fromArray(S, xa, x0 + i).fma(va0, acc);
            acc = FloatVector.fromArray(S, xa, x1 + i).fma(va1, acc);
            acc = FloatVector.fromArray(S, xa, x2 + i).fma(va2, acc);
            acc = FloatVector.fromArray(S, xa, x3 + i).fma(va3, acc);
            acc.intoArray(ya, yFrom + i);
            FloatVector bcc = FloatVector.fromArray(S, yb, yFrom + i);
            bcc = FloatVector.fromArray(S, xb, x0 + i).fma(vb0, bcc);
            bcc = FloatVector.fromArray(S, xb, x1 + i).fma(vb1, bcc);
            bcc = FloatVector.fromArray(S, xb, x2 + i).fma(vb2, bcc);
            bcc = FloatVector.fromArray(S, xb, x3 + i).fma(vb3, bcc);
            bcc.intoArray(yb, yFrom + i);
        }
        for (; i < n; i++) {
            ya[yFrom + i] += a0 * xa[x0 + i] + a1 * xa[x1 + i] + a2 * xa[x2 + i] + a3 * xa[x3 + i];
            yb[yFrom + i] += b0 * xb[x0 + i] + b1 * xb[x1 + i] + b2 * xb[x2 + i] + b3 * xb[x3 + i];
        }
    }

    static int groupMax(ByteBuffer src, int at, float[] bias, int cols, int group, float[] out) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        int span = L * group;
        int b = 0;
        int c = 0;
        for (; c + span <= cols; c += span, b += L) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int i = c; i < c + span; i += L) {
                m = m.max(FloatVector.fromByteBuffer(S, src, at + 4 * i, le).add(FloatVector.fromArray(S, bias, i)));
            }
            m.intoArray(out, b);
        }
        // The last, partial group: its columns still go to lane (c − start) % L.
        int lanes = Math.min(L, cols - c);
        for (int l = 0; l < lanes; l++) {
            out[b + l] = Float.NEGATIVE_INFINITY;
        }
        for (int i = c; i < cols; i++) {
            int l = (i - c) % L;
            out[b + l] = Math.max(out[b + l], src.getFloat(at + 4 * i) + bias[i]);
        }
        return b + lanes;
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

    static int collectAtLeast(ByteBuffer src, int at, float[] bias, int cols, float threshold, int[] out,
                              float[] values, int capacity) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        FloatVector t = FloatVector.broadcast(S, threshold);
        int n = 0;
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector v = FloatVector.fromByteBuffer(S, src, at + 4 * c, le).add(FloatVector.fromArray(S, bias, c));
            if (v.compare(VectorOperators.GE, t).anyTrue()) {
                // The whole vector goes to values[n..n+L), then its hits are moved down in place: hit i is read
                // from n0 + lane before anything is written at or past it.
                v.intoArray(values, n);
                int n0 = n;
                for (int lane = 0; lane < L; lane++) {
                    float x = values[n0 + lane];
                    if (x >= threshold) {
                        if (n == capacity) {
                            return -1;
                        }
                        values[n] = x;
                        out[n++] = c + lane;
                    }
                }
            }
        }
        for (; c < cols; c++) {
            float x = src.getFloat(at + 4 * c) + bias[c];
            if (x >= threshold) {
                if (n == capacity) {
                    return -1;
                }
                values[n] = x;
                out[n++] = c;
            }
        }
        return n;
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
