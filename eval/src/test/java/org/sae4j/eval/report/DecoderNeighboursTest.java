package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.eval.GroundTruthRecovery;

class DecoderNeighboursTest {
    /** float32 gemm against double-precision dot products of unit rows. */
    private static final float COSINE_TOLERANCE = 1e-5f;

    @Test
    void blockedGemmMatchesThePlainReferenceAcrossBlockBoundaries() {
        int dSae = 1100; // more than one block of 1024, and not a multiple of it
        int dIn = 7;
        Sae sae = Sae.initialize(SaeConfig.of(dIn, dSae, new Architecture.TopK(3)), 11);
        float[] wDec = Nio.get(sae.params().wDec());
        DecoderNeighbours fast = DecoderNeighbours.of(sae, 5);
        DecoderNeighbours slow = DecoderNeighbours.reference(wDec, dSae, dIn, 5);
        float[] unit = GroundTruthRecovery.unitRows(wDec, dSae, dIn);
        assertEquals(5, fast.n());
        for (int j = 0; j < dSae; j++) {
            for (int r = 0; r < 5; r++) {
                // The ranked cosines agree; ids may differ only between near-ties, so each id is checked by its
                // own cosine rather than against the reference's id.
                assertEquals(slow.cosine(j, r), fast.cosine(j, r), COSINE_TOLERANCE, "feature " + j + " rank " + r);
                int other = fast.feature(j, r);
                double c = 0;
                for (int d = 0; d < dIn; d++) {
                    c += (double) unit[j * dIn + d] * unit[other * dIn + d];
                }
                assertEquals(c, fast.cosine(j, r), COSINE_TOLERANCE, "feature " + j + " rank " + r + " id " + other);
                assertNotEquals(j, other, "a feature is not its own neighbour");
            }
        }
    }

    @Test
    void duplicatesAndOppositesRankAsCosineSays() {
        // Rows: e0, e0 (a duplicate), −e0 (opposite), e1, and a zero row that matches nothing.
        float[] wDec = {1, 0, 0, 2, 0, 0, -1, 0, 0, 0, 1, 0, 0, 0, 0};
        DecoderNeighbours nb = DecoderNeighbours.reference(wDec, 5, 3, 4);
        assertArrayEquals(new int[] {1, 3, 4, 2}, new int[] {nb.feature(0, 0), nb.feature(0, 1), nb.feature(0, 2),
            nb.feature(0, 3)}, "duplicate first, orthogonal rows (ties to the lower id), the opposite last");
        assertEquals(1f, nb.cosine(0, 0), 1e-6f);
        assertEquals(-1f, nb.cosine(0, 3), 1e-6f);
        assertEquals(0f, nb.cosine(4, 0), 0f, "the zero row has cosine 0 to everything");
    }

    @Test
    void rankedKeepsTheLargestOrTheMostNegative() {
        float[] v = {3, -1, 7, 7, 0, -9, 2};
        assertArrayEquals(new int[] {2, 3, 0}, Ranked.largest(v, 0, v.length, 3, -1, 1), "ties to the lower index");
        assertArrayEquals(new int[] {3, 0, 6}, Ranked.largest(v, 0, v.length, 3, 2, 1), "skipping index 2");
        assertArrayEquals(new int[] {5, 1}, Ranked.largest(v, 0, v.length, 2, -1, -1), "most negative first");
        assertArrayEquals(new int[] {1, 0}, Ranked.largest(v, 5, 2, 5, -1, 1), "a short row gives what it has");
    }
}
