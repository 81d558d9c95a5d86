package org.sae4j.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Every row of one set of unit vectors against every row of another, a block of the first set's rows at a time:
 * one {@code Nd4j.gemm} per block into an output made once, handed to the caller as a heap copy that is reused. Both
 * the ground-truth recovery and the report's decoder neighbours need all pairs' cosines, which a pairwise Java loop
 * makes minutes of work at 16384 latents; blocks keep the [rows, nB] output near 64 MiB.
 */
public final class CosineBlocks {
    /** Rows of {@code a} per gemm: [BLOCK, nB] floats stay near 64 MiB at nB 16384. */
    public static final int BLOCK = 1024;

    /** What a caller does with one block. */
    @FunctionalInterface
    public interface Visitor {
        /** {@code cosines}: [rows, nB] row-major, rows {@code start..start+rows) of a; valid only during the call. */
        void block(int start, int rows, float[] cosines);
    }

    private CosineBlocks() {
    }

    /**
     * @param a [nA, dim] unit rows ({@link GroundTruthRecovery#unitRows})
     * @param b [nB, dim] unit rows; may be {@code a} itself
     */
    public static void forEach(float[] a, int nA, float[] b, int nB, int dim, Visitor visitor) {
        if (nA == 0 || nB == 0) {
            return;
        }
        INDArray left = Nd4j.createFromArray(a).reshape('c', nA, dim);
        // a set against itself: one ND4J copy
        INDArray right = b == a ? left : Nd4j.createFromArray(b).reshape('c', nB, dim);
        INDArray out = null; // [rows, nB]: made once, and again only for a short last block
        float[] cosines = new float[Math.min(BLOCK, nA) * nB]; // its heap copy
        for (int start = 0; start < nA; start += BLOCK) {
            int rows = Math.min(BLOCK, nA - start);
            INDArray block = left.get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all()).dup('c');
            if (out == null || out.rows() != rows) {
                out = Nd4j.create(DataType.FLOAT, rows, nB);
            }
            Nd4j.gemm(block, right, out, false, true, 1.0, 0.0);
            Nio.get(out, cosines);
            visitor.block(start, rows, cosines);
        }
    }
}
