package org.sae4j.eval.report;

/**
 * The positions of the n largest values of a row, by a bounded insertion (n is small: 10 neighbours, 10 logits),
 * so a row of 50,000 logits costs one pass and no sort.
 */
final class Ranked {
    private Ranked() {
    }

    /**
     * Indices (relative to {@code from}) of the {@code n} largest of {@code values[from .. from + length)}, largest
     * first, ties to the lower index, skipping index {@code skip} (−1 for none). Fewer than n when the row is short.
     * {@code sign} −1 ranks by the most negative instead.
     */
    static int[] largest(float[] values, int from, int length, int n, int skip, int sign) {
        int[] best = new int[Math.min(n, length - (skip >= 0 && skip < length ? 1 : 0))];
        float[] bestValue = new float[best.length];
        int filled = 0;
        for (int i = 0; i < length; i++) {
            if (i == skip) {
                continue;
            }
            float v = sign * values[from + i];
            if (filled == best.length && !(v > bestValue[filled - 1])) {
                continue;
            }
            int at = filled == best.length ? filled - 1 : filled++;
            while (at > 0 && v > bestValue[at - 1]) {
                best[at] = best[at - 1];
                bestValue[at] = bestValue[at - 1];
                at--;
            }
            best[at] = i;
            bestValue[at] = v;
        }
        return best;
    }
}
