package org.sae4j.eval.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Each feature's nearest features by the cosine similarity of their decoder rows, {@code cos(W_dec[i], W_dec[j])},
 * j ≠ i: near-duplicates and feature splitting show up here. Computed a block of rows at a time against all rows
 * ({@code [block, dIn] · [dIn, dSae]}), so memory stays at {@code block · dSae} floats for any width.
 */
final class DecoderNeighbours {
    private static final int CHUNK = 256;

    private DecoderNeighbours() {
    }

    /** {@code wDec} [dSae, dIn]; per feature its {@code n} nearest others (ids and cosines, nearest first). */
    static Ranked[] compute(float[] wDec, int dSae, int dIn, int n) {
        float[] unit = new float[dSae * dIn]; // [dSae, dIn]
        for (int j = 0; j < dSae; j++) {
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                sq += (double) wDec[j * dIn + d] * wDec[j * dIn + d];
            }
            double inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
            for (int d = 0; d < dIn; d++) {
                unit[j * dIn + d] = (float) (wDec[j * dIn + d] * inv);
            }
        }
        INDArray all = Nd4j.create(unit, new long[] {dSae, dIn}, 'c');
        Ranked[] out = new Ranked[dSae];
        double[] row = new double[dSae];
        for (int from = 0; from < dSae; from += CHUNK) {
            int c = Math.min(CHUNK, dSae - from);
            INDArray block = all.get(NDArrayIndex.interval(from, from + c)).dup('c');
            INDArray cos = Nd4j.create(DataType.FLOAT, c, dSae); // [c, dSae]
            Nd4j.gemm(block, all, cos, false, true, 1.0, 0.0);
            float[] values = Nio.get(cos);
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < dSae; j++) {
                    row[j] = values[i * dSae + j];
                }
                row[from + i] = Double.NEGATIVE_INFINITY; // not its own neighbour
                out[from + i] = Ranked.extreme(row, 0, dSae, Math.min(n, dSae - 1), true);
            }
        }
        return out;
    }
}
