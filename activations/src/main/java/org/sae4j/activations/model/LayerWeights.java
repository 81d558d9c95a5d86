package org.sae4j.activations.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer block's weights; matrices are row-major {@code [out, in]} as llama2.c stores them, so a product
 * over rows is {@code h · W^T}.
 *
 * @param rmsAtt RMSNorm gain before attention, [dim]
 * @param wq     [dim, dim]
 * @param wk     [kvDim, dim]
 * @param wv     [kvDim, dim]
 * @param wo     [dim, dim]
 * @param rmsFfn RMSNorm gain before the feed-forward layer, [dim]
 * @param w1     gate, [hiddenDim, dim]
 * @param w2     down projection, [dim, hiddenDim]
 * @param w3     up projection, [hiddenDim, dim]
 */
public record LayerWeights(float[] rmsAtt, INDArray wq, INDArray wk, INDArray wv, INDArray wo, float[] rmsFfn,
                           INDArray w1, INDArray w2, INDArray w3) {

    /** Checks every shape against {@code config}; throws IllegalArgumentException naming the first mismatch. */
    void check(LlamaConfig config) {
        int d = config.dim();
        int kv = config.kvDim();
        int hid = config.hiddenDim();
        requireLength("rmsAtt", rmsAtt, d);
        requireLength("rmsFfn", rmsFfn, d);
        requireShape("wq", wq, d, d);
        requireShape("wk", wk, kv, d);
        requireShape("wv", wv, kv, d);
        requireShape("wo", wo, d, d);
        requireShape("w1", w1, hid, d);
        requireShape("w2", w2, d, hid);
        requireShape("w3", w3, hid, d);
    }

    static void requireLength(String name, float[] v, int length) {
        if (v.length != length) {
            throw new IllegalArgumentException(name + " has " + v.length + " values, expected " + length);
        }
    }

    static void requireShape(String name, INDArray m, long rows, long cols) {
        if (m.rank() != 2 || m.rows() != rows || m.columns() != cols || m.ordering() != 'c') {
            throw new IllegalArgumentException(name + " has shape " + java.util.Arrays.toString(m.shape())
                    + " order " + m.ordering() + ", expected [" + rows + ", " + cols + "] order c");
        }
    }
}
