package org.sae4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The gemm-blocked recovery against the plain double loop, on odd sizes across the block boundary. */
class GroundTruthRecoveryTest {
    private static final double TOLERANCE = 1e-5; // float sums of 37 unit-row products against double sums

    @Test
    void matchesTheReferenceAcrossBlocks() {
        int dim = 37;
        int nTrue = 1030; // one full block of 1024 and a short one
        int nLearned = 203;
        SplittableRandom random = new SplittableRandom(11);
        float[] truth = gaussian(nTrue * dim, random);
        float[] learned = gaussian(nLearned * dim, random);
        for (int j = 0; j < 60; j++) { // 60 true features learned exactly, at another scale
            for (int d = 0; d < dim; d++) {
                learned[j * dim + d] = 3f * truth[(17 * j) * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            learned[100 * dim + d] = 0f; // a dead row: cosine 0 to everything
        }
        GroundTruthRecovery fast = GroundTruthRecovery.of(truth, nTrue, learned, nLearned, dim);
        GroundTruthRecovery ref = GroundTruthRecovery.reference(truth, nTrue, learned, nLearned, dim);
        for (int i = 0; i < nTrue; i++) {
            assertEquals(ref.bestCosine()[i], fast.bestCosine()[i], TOLERANCE, "true feature " + i);
        }
        assertEquals(ref.mmcs(), fast.mmcs(), TOLERANCE, "mmcs");
        assertEquals(60.0 / nTrue, fast.fractionMatched(), 1e-12, "exactly the copied features match");
        assertEquals(ref.fractionMatched(), fast.fractionMatched(), 1e-12);
    }

    @Test
    void noLearnedRowsMatchesNothing() {
        GroundTruthRecovery r = GroundTruthRecovery.of(new float[] {1, 0, 0, 1}, 2, new float[0], 0, 2);
        assertEquals(-1, r.mmcs(), 0, "best cosine stays at its floor");
        assertEquals(0, r.fractionMatched(), 0);
    }

    private static float[] gaussian(int n, SplittableRandom random) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
