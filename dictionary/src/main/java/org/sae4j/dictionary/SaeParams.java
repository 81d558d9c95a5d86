package org.sae4j.dictionary;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The SAE's tensors as views into one flat float32 vector, in the order W_enc | b_enc | W_dec | b_dec. One flat
 * vector lets a single ND4J Adam updater step every parameter at once and makes a checkpoint one tensor; gradients
 * use the same layout.
 *
 * @param flat [1, parameterCount]
 * @param wEnc [dIn, dSae]
 * @param bEnc [1, dSae]
 * @param wDec [dSae, dIn]
 * @param bDec [1, dIn]
 */
public record SaeParams(INDArray flat, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec) {

    public static SaeParams zeros(SaeConfig config) {
        return over(Nd4j.create(DataType.FLOAT, 1, config.parameterCount()), config);
    }

    /** Views of {@code flat} laid out for {@code config}. */
    public static SaeParams over(INDArray flat, SaeConfig config) {
        long expected = config.parameterCount();
        if (flat.length() != expected) {
            throw new IllegalArgumentException("flat vector holds " + flat.length() + " values, the SAE needs "
                    + expected);
        }
        int dIn = config.dIn();
        int dSae = config.dSae();
        long at = 0;
        INDArray wEnc = slice(flat, at, (long) dIn * dSae).reshape('c', dIn, dSae);
        at += (long) dIn * dSae;
        INDArray bEnc = slice(flat, at, dSae).reshape('c', 1, dSae);
        at += dSae;
        INDArray wDec = slice(flat, at, (long) dSae * dIn).reshape('c', dSae, dIn);
        at += (long) dSae * dIn;
        INDArray bDec = slice(flat, at, dIn).reshape('c', 1, dIn);
        return new SaeParams(flat, wEnc, bEnc, wDec, bDec);
    }

    private static INDArray slice(INDArray flat, long from, long length) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + length));
    }
}
