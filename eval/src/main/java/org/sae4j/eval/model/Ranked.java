package org.sae4j.eval.model;

/**
 * Ids with a score each, best first: a feature's most promoted or most suppressed tokens, or its nearest features.
 *
 * @param ids    [n] token or feature ids
 * @param values [n] their scores
 */
public record Ranked(int[] ids, double[] values) {

    public Ranked {
        if (ids.length != values.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + values.length + " values");
        }
        ids = ids.clone();
        values = values.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    public int size() {
        return ids.length;
    }

    /**
     * The {@code n} ids with the largest ({@code largest}) or smallest score in {@code scores[off .. off+vocab)},
     * ordered from the extreme inwards; ties go to the lower id. One scan with a sorted list of the n kept so far:
     * O(vocab) for the usual n of about 10.
     */
    static Ranked extreme(double[] scores, int off, int vocab, int n, boolean largest) {
        int m = Math.min(n, vocab);
        int[] ids = new int[m];
        double[] values = new double[m];
        int kept = 0;
        for (int v = 0; v < vocab; v++) {
            double s = largest ? scores[off + v] : -scores[off + v];
            if (kept == m && !(s > values[m - 1])) {
                continue;
            }
            int at = kept < m ? kept++ : m - 1;
            // Move worse entries down; an equal score stays ahead (it has the lower id).
            while (at > 0 && s > values[at - 1]) {
                values[at] = values[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            values[at] = s;
            ids[at] = v;
        }
        if (!largest) {
            for (int i = 0; i < m; i++) {
                values[i] = -values[i];
            }
        }
        return new Ranked(ids, values);
    }
}
