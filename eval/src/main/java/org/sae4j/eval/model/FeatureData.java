package org.sae4j.eval.model;

import java.util.List;

/**
 * Everything the evaluation learned about each feature, for the feature files and the report: firing statistics,
 * activation histogram, examples, logit effects, decoder neighbours and, for the ablated features, ablation effects.
 * Indexed by feature.
 */
public final class FeatureData {
    private final long tokens;
    private final FeatureStats stats;
    private final FeaturePass pass;
    private final int histogramBins;
    private final LogitEffects.Result logits;
    private final Ranked[] neighbours;
    private final AblationEffect[] ablation; // [dSae], null where not ablated

    FeatureData(long tokens, FeatureStats stats, FeaturePass pass, int histogramBins, LogitEffects.Result logits,
                Ranked[] neighbours, AblationEffect[] ablation) {
        this.tokens = tokens;
        this.stats = stats;
        this.pass = pass;
        this.histogramBins = histogramBins;
        this.logits = logits;
        this.neighbours = neighbours;
        this.ablation = ablation;
    }

    /** Number of features (the SAE's d_sae). */
    public int size() {
        return stats.count.length;
    }

    /** SAE input tokens the statistics are over. */
    public long tokens() {
        return tokens;
    }

    /** Tokens the feature fired on. */
    public long firings(int feature) {
        return stats.count[feature];
    }

    /** Fraction of SAE input tokens it fired on. */
    public double density(int feature) {
        return tokens == 0 ? 0 : (double) stats.count[feature] / tokens;
    }

    /** Mean activation over the tokens it fired on (0 if it never fired). */
    public double meanActivation(int feature) {
        long n = stats.count[feature];
        return n == 0 ? 0 : stats.sum[feature] / n;
    }

    /** Mean squared activation over the tokens it fired on. */
    public double meanSquaredActivation(int feature) {
        long n = stats.count[feature];
        return n == 0 ? 0 : stats.sumSq[feature] / n;
    }

    public float maxActivation(int feature) {
        return stats.max[feature];
    }

    /** Firings per equal-width bin over (0, max]; bin b covers (b·max/bins, (b+1)·max/bins]. */
    public int[] histogram(int feature) {
        return pass.histogram(feature);
    }

    public int histogramBins() {
        return histogramBins;
    }

    /** The top-activating examples, largest first. */
    public List<Example> topExamples(int feature) {
        return List.copyOf(pass.top(feature));
    }

    /** Examples sampled per activation interval, lowest interval first (empty for a feature that never fired). */
    public List<QuantileGroup> quantiles(int feature) {
        return pass.quantiles(feature);
    }

    /** Tokens the feature's decoder row promotes most through the direct path. */
    public Ranked logitsTop(int feature) {
        return logits.top()[feature];
    }

    /** Tokens it suppresses most. */
    public Ranked logitsBottom(int feature) {
        return logits.bottom()[feature];
    }

    /** Nearest other features by decoder cosine. */
    public Ranked neighbours(int feature) {
        return neighbours[feature];
    }

    /** The ablation effect, or null for a feature that was not ablated. */
    public AblationEffect ablation(int feature) {
        return ablation[feature];
    }
}
