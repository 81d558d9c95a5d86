package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * The backward reports what it wrote: a NaN or an infinity in a row that an active latent gathers (the source
     * gradient for dW_dec, the encoder input for dW_enc) reaches the gradient and is reported; in a row no active
     * latent reads, it reaches nothing and the gradient is finite.
     */
    @Test
    void reportsANonFiniteGradientFromEitherPass() {
        int dSae = 2 * SparseBackward.TILE + 3;
        int w = 3;
        int[] idx = new int[ROWS * w];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % w == 0 || i / w == ROWS - 1 ? -1 : (i * 7) % dSae; // the last row has no active latent
        }
        float[] val = gaussian(ROWS * w, 4);
        for (int i = 0; i < val.length; i++) {
            val[i] = Math.abs(val[i]) + 0.1f;
        }
        ActiveLatents active = new ActiveLatents(dSae);
        active.build(idx, val, ROWS, w);
        int used = 5; // a row with active latents
        for (String where : new String[] {"none", "src", "xc", "unused src", "unused xc"}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] src = gaussian(ROWS * D_IN, 5);
                float[] xc = gaussian(ROWS * D_IN, 6);
                switch (where) {
                    case "src" -> src[used * D_IN + 4] = bad;
                    case "xc" -> xc[used * D_IN + 4] = bad;
                    case "unused src" -> src[(ROWS - 1) * D_IN + 4] = bad;
                    case "unused xc" -> xc[(ROWS - 1) * D_IN + 4] = bad;
                    default -> { }
                }
                SparseBackward.Codes codes = new SparseBackward.Codes(active, val, src, gaussian(ROWS * w, 7));
                boolean finite = SparseBackward.run(codes, null, xc, D_IN, dSae, new float[dSae],
                        TestData.direct(new float[dSae * D_IN]).asFloatBuffer(),
                        TestData.direct(new float[D_IN * dSae]));
                assertEquals(where.equals("none") || where.startsWith("unused"), finite, where + " " + bad);
            }
        }
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
        assertTrue(SparseBackward.run(codes[0], sets > 1 ? codes[1] : null, xc, D_IN, dSae, gradBEnc, gradWDec,
                gradWEnc), "a finite gradient is reported finite");

        float[] refBEnc = new float[dSae];
        float[] refWDec = new float[dSae * D_IN];
        float[] refWEnc = new float[D_IN * dSae];
        SparseBackward.reference(idx, val, widths, src, codeGrad, xc, ROWS, D_IN, dSae, refBEnc, refWDec, refWEnc);
        TestData.assertClose(refBEnc, gradBEnc, 1e-4, "db_enc");
        TestData.assertClose(refWDec, TestData.floats(gradWDec), 1e-4, "dW_dec [dSae, dIn]");
        TestData.assertClose(refWEnc, TestData.floats(gradWEnc), 1e-4, "dW_enc [dIn, dSae]");
    }
}
