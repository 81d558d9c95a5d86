package org.sae4j.dictionary.kernels;

import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse decode against the dense product of the expanded codes (1e-5 relative). */
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
}
