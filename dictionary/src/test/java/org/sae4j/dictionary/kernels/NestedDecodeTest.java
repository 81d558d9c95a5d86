package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sae4j.dictionary.kernels.TestData.assertClose;
import static org.sae4j.dictionary.kernels.TestData.direct;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import org.junit.jupiter.api.Test;

/**
 * The ragged nested decode against its dense double reference, on odd sizes and codes from {@link BatchSelect}
 * (ragged rows, some empty): one level (BatchTopK) and several (Matryoshka), with levels that hold no code.
 */
class NestedDecodeTest {
    private static final int ROWS = 23;
    private static final int D_IN = 37;
    private static final int D_SAE = 61;
    private static final double TOL = 1e-4;

    @Test
    void oneLevel() {
        check(new int[] {D_SAE});
    }

    @Test
    void nestedLevels() {
        check(new int[] {5, 6, 20, 33, D_SAE});
    }

    private static void check(int[] levelEnd) {
        float[] pre = gaussian(ROWS * D_SAE, 1);
        int cap = ROWS * D_SAE;
        int[] rowStart = new int[ROWS + 1];
        int[] idx = new int[cap];
        float[] val = new float[cap];
        int n = new BatchSelect(ROWS, D_SAE).select(direct(pre), new float[D_SAE], 4 * ROWS, rowStart, idx, val);
        assertEquals(4 * ROWS, n);
        float[] wDec = gaussian(D_SAE * D_IN, 2);
        float[] bias = gaussian(D_IN, 3);
        float[] target = gaussian(ROWS * D_IN, 4);
        int levels = levelEnd.length;
        float[] out = new float[ROWS * D_IN];
        float[][] grad = new float[levels][ROWS * D_IN];
        double[][] sq = new double[levels][ROWS];
        float[] codeGrad = new float[n];
        NestedDecode.decodeWithGrad(rowStart, idx, val, ROWS, wDec, D_IN, bias, target, 0.37f, levelEnd, out, grad,
                sq, codeGrad);
        float[] outRef = new float[ROWS * D_IN];
        float[][] gradRef = new float[levels][ROWS * D_IN];
        double[][] sqRef = new double[levels][ROWS];
        float[] codeGradRef = new float[n];
        NestedDecode.reference(rowStart, idx, val, ROWS, wDec, D_IN, D_SAE, bias, target, 0.37f, levelEnd, outRef,
                gradRef, sqRef, codeGradRef);
        assertClose(outRef, out, TOL, "x̂");
        for (int m = 0; m < levels; m++) {
            assertClose(gradRef[m], grad[m], TOL, "gradient of level " + m);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(sqRef[m][r], sq[m][r], TOL * Math.max(1, sqRef[m][r]), "‖diff‖² level " + m + " row " + r);
            }
        }
        assertClose(codeGradRef, codeGrad, TOL, "code gradients");
    }
}
