package org.sae4j.dictionary.kernels;

import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The latent-major sparse backward against the dense double reference (the code gradients given), with two code
 * sets that share some
 * (row, latent) pairs (as main top-k and AuxK can), unused slots, zero and negative activations (inactive after the
 * ReLU), and dSae not a multiple of the tile. Tolerance 1e-4 relative (float sums in another order).
 */
class SparseBackwardTest {
    private static final int ROWS = 37;
    private static final int D_IN = 13;

    @Test
    void oneCodeSetOverSeveralTiles() {
        check(150, new int[] {7}, 1);
    }

    @Test
    void twoCodeSetsSharingLatentsInOnePartialTile() {
        check(101, new int[] {7, 5}, 2);
    }

    @Test
    void latentsThatNeverFireGetZeroGradient() {
        check(3 * SparseBackward.TILE + 5, new int[] {2}, 3);
    }

    private static void check(int dSae, int[] widths, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int sets = widths.length;
        int[][] idx = new int[sets][];
        float[][] val = new float[sets][];
        float[][] src = new float[sets][];
        float[][] codeGrad = new float[sets][];
        SparseBackward.Codes[] codes = new SparseBackward.Codes[sets];
        for (int s = 0; s < sets; s++) {
            int w = widths[s];
            idx[s] = new int[ROWS * w];
            val[s] = gaussian(ROWS * w, seed * 10 + s);
            for (int r = 0; r < ROWS; r++) {
                for (int t = 0; t < w; t++) {
                    // Distinct latents within a row, drawn from the lower part so high latents never fire.
                    idx[s][r * w + t] = (r * 3 + t * 11 + s) % Math.min(dSae, 90);
                    if (random.nextInt(9) == 0) {
                        idx[s][r * w + t] = -1;
                    }
                }
            }
            src[s] = gaussian(ROWS * D_IN, seed * 10 + 5 + s);
            codeGrad[s] = gaussian(ROWS * w, seed * 10 + 7 + s);
            ActiveLatents active = new ActiveLatents(dSae);
            active.build(idx[s], val[s], ROWS, w);
            codes[s] = new SparseBackward.Codes(active, val[s], src[s], codeGrad[s]);
        }
        float[] xc = gaussian(ROWS * D_IN, seed + 101);

        float[] gradBEnc = gaussian(dSae, 1); // all overwritten
        FloatBuffer gradWDec = TestData.direct(gaussian(dSae * D_IN, 2)).asFloatBuffer();
        java.nio.ByteBuffer gradWEnc = TestData.direct(gaussian(D_IN * dSae, 3));
        SparseBackward.run(codes[0], sets > 1 ? codes[1] : null, xc, D_IN, dSae, gradBEnc, gradWDec, gradWEnc);

        float[] refBEnc = new float[dSae];
        float[] refWDec = new float[dSae * D_IN];
        float[] refWEnc = new float[D_IN * dSae];
        SparseBackward.reference(idx, val, widths, src, codeGrad, xc, ROWS, D_IN, dSae, refBEnc, refWDec, refWEnc);
        TestData.assertClose(refBEnc, gradBEnc, 1e-4, "db_enc");
        TestData.assertClose(refWDec, TestData.floats(gradWDec), 1e-4, "dW_dec [dSae, dIn]");
        TestData.assertClose(refWEnc, TestData.floats(gradWEnc), 1e-4, "dW_enc [dIn, dSae]");
    }
}
