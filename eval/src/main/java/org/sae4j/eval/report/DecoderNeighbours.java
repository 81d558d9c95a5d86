package org.sae4j.eval.report;

import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.eval.CosineBlocks;
import org.sae4j.eval.GroundTruthRecovery;

/**
 * Each feature's nearest features by cosine similarity of decoder rows (sae_vis's feature table; SAEBench's
 * "absorption" neighbours): features that write nearly the same direction are the first place to look for splits
 * and duplicates.
 *
 * @param n       neighbours per feature
 * @param index   [dSae, n] neighbour ids, most similar first
 * @param cosine  [dSae, n] their cosine similarities
 */
public record DecoderNeighbours(int n, int[] index, float[] cosine) {
    public DecoderNeighbours {
        if (n < 0 || index.length != cosine.length || (n > 0 && index.length % n != 0)) {
            throw new IllegalArgumentException("n " + n + " with " + index.length + " ids and " + cosine.length
                    + " cosines");
        }
    }

    /** The {@code n} nearest of every decoder row, by {@link CosineBlocks} (one {@code Nd4j.gemm} per block). */
    public static DecoderNeighbours of(Sae sae, int n) {
        int dSae = sae.config().dSae();
        int dIn = sae.config().dIn();
        int kept = Math.min(n, dSae - 1);
        float[] unit = GroundTruthRecovery.unitRows(Nio.get(sae.params().wDec()), dSae, dIn); // [dSae, dIn]
        int[] index = new int[dSae * kept];
        float[] cosine = new float[dSae * kept];
        CosineBlocks.forEach(unit, dSae, unit, dSae, dIn, (start, rows, s) -> {
            for (int r = 0; r < rows; r++) {
                int j = start + r;
                int[] best = Ranked.largest(s, r * dSae, dSae, kept, j, 1);
                for (int t = 0; t < kept; t++) {
                    index[j * kept + t] = best[t];
                    cosine[j * kept + t] = s[r * dSae + best[t]];
                }
            }
        });
        return new DecoderNeighbours(kept, index, cosine);
    }

    /** The plain reference: every pair's cosine in double precision, then the same ranking. For tests. */
    static DecoderNeighbours reference(float[] wDec, int dSae, int dIn, int n) {
        int kept = Math.min(n, dSae - 1);
        float[] unit = GroundTruthRecovery.unitRows(wDec, dSae, dIn);
        int[] index = new int[dSae * kept];
        float[] cosine = new float[dSae * kept];
        float[] row = new float[dSae];
        for (int i = 0; i < dSae; i++) {
            for (int j = 0; j < dSae; j++) {
                double c = 0;
                for (int d = 0; d < dIn; d++) {
                    c += (double) unit[i * dIn + d] * unit[j * dIn + d];
                }
                row[j] = (float) c;
            }
            int[] best = Ranked.largest(row, 0, dSae, kept, i, 1);
            for (int t = 0; t < kept; t++) {
                index[i * kept + t] = best[t];
                cosine[i * kept + t] = row[best[t]];
            }
        }
        return new DecoderNeighbours(kept, index, cosine);
    }

    public int feature(int feature, int rank) {
        return index[feature * n + rank];
    }

    public float cosine(int feature, int rank) {
        return cosine[feature * n + rank];
    }
}
