package org.sae4j.eval.report;

import java.util.List;

/**
 * How one feature behaved over a pass of the model over text: how often and how strongly it fired, and where.
 * Field names follow OpenAI's sae-viewer ({@code FeatureInfo}, {@code SequenceInfo}) where they exist.
 *
 * @param firings    token positions where it fired (activation above zero)
 * @param meanAct    mean activation over those positions (0 when it never fired)
 * @param maxAct     largest activation (0 when it never fired)
 * @param histogram  activations over the positions where it fired, in equal-width bins from 0 to maxAct
 * @param top        the top-activating examples, strongest first
 * @param quantiles  examples grouped by equal-width activation intervals over (0, maxAct], highest first
 */
public record FeatureActivity(long firings, double meanAct, double maxAct, Histogram histogram, List<Example> top,
                              List<QuantileGroup> quantiles) {
    public FeatureActivity {
        if (firings < 0) {
            throw new IllegalArgumentException("firings must be >= 0, got " + firings);
        }
        top = List.copyOf(top);
        quantiles = List.copyOf(quantiles);
    }

    /**
     * A stretch of text around one position where the feature fired (sae-viewer's {@code SequenceInfo}).
     *
     * @param docId    which document (context window) of the pass it comes from
     * @param idx      which of {@code tokens} the example was chosen for
     * @param act      the feature's activation there
     * @param tokens   [length] the tokens as display text
     * @param acts     [length] the feature's activation at each token (0 where it did not fire)
     * @param lossDiff [length] sae-viewer's {@code ablate_loss_diff}: the change of next-token loss at each token when
     *                 the feature is removed (NaN where not measured), or null when the feature was not ablated
     */
    public record Example(int docId, int idx, double act, List<String> tokens, float[] acts, float[] lossDiff) {
        public Example {
            tokens = List.copyOf(tokens);
            if (acts.length != tokens.size() || idx < 0 || idx >= acts.length
                    || (lossDiff != null && lossDiff.length != acts.length)) {
                throw new IllegalArgumentException(tokens.size() + " tokens, " + acts.length + " activations"
                        + (lossDiff == null ? "" : ", " + lossDiff.length + " loss changes") + ", idx " + idx
                        + ": need equal lengths and idx inside");
            }
            acts = acts.clone();
            lossDiff = lossDiff == null ? null : lossDiff.clone();
        }

        /** An example without ablation data. */
        public Example(int docId, int idx, double act, List<String> tokens, float[] acts) {
            this(docId, idx, act, tokens, acts, null);
        }
    }

    /**
     * Examples drawn from one interval of the feature's activations (sae_vis's interval groups; field names as
     * {@code sae4j eval} writes them).
     *
     * @param lower    interval start (exclusive)
     * @param upper    interval end (inclusive)
     * @param count    firings in the interval
     * @param examples a seeded random sample of them, largest activation first
     */
    public record QuantileGroup(double lower, double upper, long count, List<Example> examples) {
        public QuantileGroup {
            examples = List.copyOf(examples);
        }
    }

    /**
     * A histogram: {@code counts[b]} values fell in {@code [edges[b], edges[b + 1])} (the last bin is closed).
     *
     * @param edges  [bins + 1] ascending
     * @param counts [bins]
     */
    public record Histogram(double[] edges, long[] counts) {
        public Histogram {
            if (edges.length != counts.length + 1) {
                throw new IllegalArgumentException(edges.length + " edges for " + counts.length + " bins");
            }
            edges = edges.clone();
            counts = counts.clone();
        }
    }
}
