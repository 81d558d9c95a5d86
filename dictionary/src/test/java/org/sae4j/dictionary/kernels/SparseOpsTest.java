package org.sae4j.dictionary.kernels;

import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse decode (alone and fused with its gradient) against dense double references (1e-5 / 1e-4 relative). */
class SparseOpsTest {
    private static final int ROWS = 37;
    private static final int D_SAE = 101;
    private static final int D_IN = 13;
    private static final int K = 7;

    @Test
    void decodeMatchesDense() {
        float[] wDec = gaussian(D_SAE * D_IN, 3);
        float[] bias = gaussian(D_IN, 4);
        int[] idx = new int[ROWS * K];
        float[] val = gaussian(ROWS * K, 6);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % 11 == 0 ? -1 : random.nextInt(D_SAE);
            val[i] = i % 5 == 0 ? 0f : val[i];
        }
        for (float[] b : new float[][] {bias, null}) {
            float[] out = gaussian(ROWS * D_IN, 8); // overwritten
            float[] ref = new float[ROWS * D_IN];
            SparseOps.decode(idx, val, ROWS, K, wDec, D_IN, b, out);
            SparseOps.decodeReference(idx, val, ROWS, K, wDec, D_IN, D_SAE, b, ref);
            TestData.assertClose(ref, out, 1e-5, b == null ? "decode without bias" : "decode");
        }
    }

    @Test
    void decodeWithGradMatchesReference() {
        float[] wDec = gaussian(D_SAE * D_IN, 9);
        float[] bias = gaussian(D_IN, 10);
        float[] shift = gaussian(ROWS * D_IN, 11);
        float[] target = gaussian(ROWS * D_IN, 12);
        int[] idx = new int[ROWS * K];
        float[] val = gaussian(ROWS * K, 13);
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % 9 == 0 ? -1 : random.nextInt(D_SAE);
        }
        for (float[][] biasShift : new float[][][] {{bias, null}, {null, shift}}) {
            float[] out = new float[ROWS * D_IN];
            float[] grad = new float[ROWS * D_IN];
            double[] sq = new double[ROWS];
            float[] codeGrad = new float[ROWS * K];
            SparseOps.decodeWithGrad(idx, val, ROWS, K, wDec, D_IN, biasShift[0], biasShift[1], target, 0.3f, out,
                    grad, sq, codeGrad);
            float[] refOut = new float[ROWS * D_IN];
            float[] refGrad = new float[ROWS * D_IN];
            double[] refSq = new double[ROWS];
            float[] refCodeGrad = new float[ROWS * K];
            SparseOps.decodeWithGradReference(idx, val, ROWS, K, wDec, D_IN, D_SAE, biasShift[0], biasShift[1],
                    target, 0.3f, refOut, refGrad, refSq, refCodeGrad);
            TestData.assertClose(refOut, out, 1e-5, "decoded");
            TestData.assertClose(refGrad, grad, 1e-5, "gradient");
            TestData.assertClose(refCodeGrad, codeGrad, 1e-4, "code gradients");
            for (int r = 0; r < ROWS; r++) {
                org.junit.jupiter.api.Assertions.assertEquals(refSq[r], sq[r], 1e-4 * Math.max(1, refSq[r]), "row " + r);
            }

            // In place: the gradient overwrites the decoded rows (how AuxK uses it).
            SparseOps.decodeWithGrad(idx, val, ROWS, K, wDec, D_IN, biasShift[0], biasShift[1], target, 0.3f, out,
                    out, sq, codeGrad);
            TestData.assertClose(refGrad, out, 1e-5, "gradient in place");
            TestData.assertClose(refCodeGrad, codeGrad, 1e-4, "code gradients in place");
        }
    }
}
