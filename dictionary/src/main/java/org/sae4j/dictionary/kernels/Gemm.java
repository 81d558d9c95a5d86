package org.sae4j.dictionary.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One matrix product {@code c = op(a) · op(b)} over float32 arrays bound once, run as often as a step needs it.
 *
 * <p>On ND4J's CPU backend it calls OpenBLAS's {@code cblas_sgemm} directly: the same library and kernel
 * {@code Nd4j.gemm} ends in (ND4J's CPU BLAS is bytedeco's {@code openblas_nolapack}), with the pointers and
 * leading dimensions worked out here once. {@code Nd4j.gemm} re-derives them on every call and allocates ~5 KB of
 * heap doing so; this allocates nothing. The results are bitwise {@code Nd4j.gemm}'s ({@code GemmTest}). On any
 * other backend (the CUDA profile) {@link #run} is {@code Nd4j.gemm}.
 *
 * <p>The arrays must be C-ordered and contiguous (views included). This object holds them: its native pointers do
 * not keep their memory alive.
 */
public final class Gemm {
    private static final int ROW_MAJOR = 101; // the CBLAS enums
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private final INDArray a;
    private final INDArray b;
    private final INDArray c;
    private final boolean transA;
    private final boolean transB;
    private final Direct direct; // null off the CPU backend

    private Gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, int k) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.transA = transA;
        this.transB = transB;
        this.direct = Nd4j.getExecutioner().type() == OpExecutioner.ExecutionerType.NATIVE_CPU
                ? new Direct(a, b, c, transA, transB, k) : null;
    }

    /** Binds {@code c = op(a) · op(b)}, where op transposes when asked; the shapes are checked here. */
    public static Gemm of(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            throw new IllegalArgumentException("gemm takes matrices, got ranks " + a.rank() + ", " + b.rank() + ", "
                    + c.rank());
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transA ? a.size(0) : a.size(1);
        long am = transA ? a.size(1) : a.size(0);
        long bk = transB ? b.size(1) : b.size(0);
        long bn = transB ? b.size(0) : b.size(1);
        if (am != m || bk != k || bn != n) {
            throw new IllegalArgumentException("gemm shapes do not fit: op(a) " + am + "×" + k + ", op(b) " + bk
                    + "×" + bn + ", c " + m + "×" + n);
        }
        return new Gemm(a, b, c, transA, transB, Math.toIntExact(k));
    }

    /** c = op(a) · op(b). */
    public void run() {
        if (direct != null) {
            direct.run();
        } else {
            Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
        }
    }

    /** The CPU path; a class of its own so that other backends never load OpenBLAS's bindings. */
    private static final class Direct {
        private final FloatPointer a;
        private final FloatPointer b;
        private final FloatPointer c;
        private final int transA;
        private final int transB;
        private final int m;
        private final int n;
        private final int k;
        private final int lda;
        private final int ldb;
        private final int ldc;

        Direct(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, int k) {
            // A live NIO view starts at the array's first element, and a pointer made from it starts there too.
            this.a = new FloatPointer(Nio.floats(a));
            this.b = new FloatPointer(Nio.floats(b));
            this.c = new FloatPointer(Nio.floats(c));
            this.transA = transA ? TRANS : NO_TRANS;
            this.transB = transB ? TRANS : NO_TRANS;
            this.m = Math.toIntExact(c.size(0));
            this.n = Math.toIntExact(c.size(1));
            this.k = k;
            this.lda = Math.toIntExact(Math.max(1, a.size(1))); // row-major: a row's length
            this.ldb = Math.toIntExact(Math.max(1, b.size(1)));
            this.ldc = Math.toIntExact(Math.max(1, c.size(1)));
        }

        void run() {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        }
    }
}
