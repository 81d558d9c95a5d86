package org.sae4j.eval;

/**
 * Latents binned by log10 of their firing frequency, the plot SAELens and Neuronpedia show: a healthy SAE is one
 * hump well below 0, with few latents at the dense end and few that never fire (those are counted apart).
 *
 * @param edges      bin edges in log10 frequency, ascending ([bins + 1])
 * @param counts     latents per bin ([bins])
 * @param neverFired latents with frequency 0
 */
public record FrequencyHistogram(double[] edges, int[] counts, int neverFired) {
    private static final double LOW = -8;
    private static final double WIDTH = 0.5;
    private static final int BINS = 16;

    public static FrequencyHistogram of(double[] frequency) {
        double[] edges = new double[BINS + 1];
        for (int b = 0; b <= BINS; b++) {
            edges[b] = LOW + b * WIDTH;
        }
        int[] counts = new int[BINS];
        int never = 0;
        for (double f : frequency) {
            if (f <= 0) {
                never++;
                continue;
            }
            int b = (int) Math.floor((Math.log10(f) - LOW) / WIDTH);
            counts[Math.max(0, Math.min(BINS - 1, b))]++;
        }
        return new FrequencyHistogram(edges, counts, never);
    }

    /** One line: the bins as block characters from 10^-8 to 10^0, then the never-fired count. */
    public String sparkline() {
        String blocks = " ▁▂▃▄▅▆▇█";
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        StringBuilder s = new StringBuilder("1e-8 |");
        for (int c : counts) {
            s.append(blocks.charAt(c == 0 ? 0 : 1 + (int) Math.round((blocks.length() - 2) * (double) c / max)));
        }
        return s.append("| 1   (never fired: ").append(neverFired).append(')').toString();
    }
}
