package org.sae4j.dictionary.kernels;

/**
 * Sparse codes regrouped by latent (compressed sparse rows with latents as the rows): for latent j, entries
 * {@code start[j] ≤ e < start[j+1]} name the code row {@code row[e]} and the code slot {@code slot[e]}
 * (= row·width + t) where j is active, in ascending row order. Only entries with a positive activation are kept:
 * after the ReLU the others pass no gradient. A counting sort, O(rows·width + dSae); the arrays are kept and grown
 * only when a larger code set arrives.
 */
public final class ActiveLatents {
    private final int dSae;
    private final int[] start; // [dSae + 1]
    private final int[] fill;  // [dSae] scratch cursor
    private int[] row = new int[0];
    private int[] slot = new int[0];

    public ActiveLatents(int dSae) {
        this.dSae = dSae;
        this.start = new int[dSae + 1];
        this.fill = new int[dSae];
    }

    /** Regroups codes {@code idx, val} of shape [rows, width] (idx −1 = unused slot). */
    public void build(int[] idx, float[] val, int rows, int width) {
        int n = rows * width;
        if (row.length < n) {
            row = new int[n];
            slot = new int[n];
        }
        java.util.Arrays.fill(start, 0);
        for (int i = 0; i < n; i++) {
            if (idx[i] >= 0 && val[i] > 0f) {
                start[idx[i] + 1]++;
            }
        }
        for (int j = 0; j < dSae; j++) {
            start[j + 1] += start[j];
        }
        System.arraycopy(start, 0, fill, 0, dSae);
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < width; t++) {
                int i = r * width + t;
                int j = idx[i];
                if (j >= 0 && val[i] > 0f) {
                    int e = fill[j]++;
                    row[e] = r;
                    slot[e] = i;
                }
            }
        }
    }

    /**
     * Regroups ragged codes (row r's are {@code rowStart[r] ≤ e < rowStart[r+1]}; slot = e) keeping only latents in
     * [lo, hi): one level of a Matryoshka SAE, or all of them with lo = 0, hi = dSae.
     */
    public void buildRagged(int[] rowStart, int[] idx, float[] val, int rows, int lo, int hi) {
        int n = rowStart[rows];
        if (row.length < n) {
            row = new int[n];
            slot = new int[n];
        }
        java.util.Arrays.fill(start, 0);
        for (int i = 0; i < n; i++) {
            if (idx[i] >= lo && idx[i] < hi && val[i] > 0f) {
                start[idx[i] + 1]++;
            }
        }
        for (int j = 0; j < dSae; j++) {
            start[j + 1] += start[j];
        }
        System.arraycopy(start, 0, fill, 0, dSae);
        for (int r = 0; r < rows; r++) {
            for (int i = rowStart[r]; i < rowStart[r + 1]; i++) {
                int j = idx[i];
                if (j >= lo && j < hi && val[i] > 0f) {
                    int e = fill[j]++;
                    row[e] = r;
                    slot[e] = i;
                }
            }
        }
    }

    public int dSae() {
        return dSae;
    }

    /** First entry of latent j; {@code start(j + 1)} is one past its last. */
    public int start(int j) {
        return start[j];
    }

    public int row(int e) {
        return row[e];
    }

    public int slot(int e) {
        return slot[e];
    }

    /** Number of entries (active (row, latent) pairs). */
    public int size() {
        return start[dSae];
    }
}
