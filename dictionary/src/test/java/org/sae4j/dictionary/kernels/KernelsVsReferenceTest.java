package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Fast kernels against their scalar references on odd sizes (sums compared to 1e-4 relative). */
class KernelsVsReferenceTest {
    private static final int ROWS = 37;
    private static final int D_SAE = 101;
    private static final int D_IN = 13;
    private static final int K = 7;

    @Test
    void topKMatchesSortIncludingTies() {
        SplittableRandom random = new SplittableRandom(1);
        float[] src = new float[ROWS * D_SAE];
        for (int i = 0; i < src.length; i++) {
            src[i] = random.nextInt(9) - 4; // few distinct values: many ties
        }
        int[] idx = new int[ROWS * K];
        float[] val = new float[ROWS * K];
        int[] refIdx = new int[ROWS * K];
        float[] refVal = new float[ROWS * K];
        TopK.select(src, ROWS, D_SAE, null, 0, K, idx, val);
        TopK.selectReference(src, ROWS, D_SAE, null, 0, K, refIdx, refVal);
        assertArrayEquals(refIdx, idx, "top-k columns");
        assertArrayEquals(refVal, val, "top-k values");
    }

    @Test
    void topKAmongCandidatesAndFewerCandidatesThanK() {
        float[] src = gaussian(ROWS * D_SAE, 2);
        int[] cand = {3, 4, 10, 50, 99};
        for (int nCand : new int[] {5, 3}) {
            int[] idx = new int[ROWS * K];
            float[] val = new float[ROWS * K];
            int[] refIdx = new int[ROWS * K];
            float[] refVal = new float[ROWS * K];
            TopK.select(src, ROWS, D_SAE, cand, nCand, K, idx, val);
            TopK.selectReference(src, ROWS, D_SAE, cand, nCand, K, refIdx, refVal);
            assertArrayEquals(refIdx, idx, "top-k among " + nCand + " candidates");
            assertArrayEquals(refVal, val);
            assertEquals(-1, idx[K - 1], "unused slots are -1");
        }
    }

    @Test
    void sparseProductsMatchDense() {
        float[] wDec = gaussian(D_SAE * D_IN, 3);
        float[] bias = gaussian(D_IN, 4);
        float[] g = gaussian(ROWS * D_IN, 5);
        int[] idx = new int[ROWS * K];
        float[] val = gaussian(ROWS * K, 6);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % 11 == 0 ? -1 : random.nextInt(D_SAE);
        }
        float[] out = new float[ROWS * D_IN];
        float[] ref = new float[ROWS * D_IN];
        SparseOps.decode(idx, val, ROWS, K, wDec, D_IN, bias, out);
        SparseOps.decodeReference(idx, val, ROWS, K, wDec, D_IN, D_SAE, bias, ref);
        assertClose(ref, out, "decode");

        float[] lg = new float[ROWS * K];
        float[] lgRef = new float[ROWS * K];
        SparseOps.latentGrad(idx, ROWS, K, g, wDec, D_IN, lg);
        SparseOps.latentGradReference(idx, ROWS, K, g, wDec, D_IN, lgRef);
        assertClose(lgRef, lg, "latentGrad");

        float[] acc = gaussian(D_SAE * D_IN, 8);
        float[] accRef = acc.clone();
        SparseOps.accumulateDecoderGrad(idx, val, ROWS, K, g, D_IN, D_SAE, acc);
        SparseOps.accumulateDecoderGradReference(idx, val, ROWS, K, g, D_IN, D_SAE, accRef);
        assertClose(accRef, acc, "accumulateDecoderGrad");
    }

    @Test
    void nioCopiesRespectViewOffsets() {
        INDArray flat = Nd4j.create(DataType.FLOAT, 1, 40);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 22)).reshape('c', 3, 4);
        float[] src = gaussian(12, 9);
        Nio.put(view, src);
        for (int i = 0; i < 12; i++) {
            assertEquals(src[i], flat.getFloat(0, 10 + i), "element " + i + " lands at offset 10");
        }
        assertEquals(0f, flat.getFloat(0, 9));
        assertEquals(0f, flat.getFloat(0, 22));
        assertArrayEquals(src, Nio.get(view));
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " element " + i);
        }
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
