package org.sae4j.eval.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a report shows, one field per source so each can be absent on its own: what is null is listed on the
 * report's pages as missing, with how to get it. Per-feature arrays are [dSae]; an entry may be null where a source
 * covered only some features (ablation of the densest N, say).
 *
 * @param run          the run page: config, training curves, evaluation
 * @param decoderNorm  [dSae] ‖W_dec[i]‖
 * @param neighbours   nearest features by decoder cosine
 * @param density      [dSae] fraction of tokens each feature fired on, or null
 * @param activity     [dSae] histograms and examples from a pass over text, or null
 * @param logits       [dSae] direct-path logit effects, or null
 * @param ablation     [dSae] ablation effects, or null
 * @param sources      for each present part (density, activity, logits, ablation, neighbours), where it came from,
 *                     in words
 */
public record ReportData(RunInfo run, float[] decoderNorm, DecoderNeighbours neighbours, double[] density,
                         FeatureActivity[] activity, LogitEffect[] logits, AblationEffect[] ablation,
                         Map<String, String> sources) {
    public ReportData {
        int dSae = decoderNorm.length;
        requireLength("density", density == null ? dSae : density.length, dSae);
        requireLength("activity", activity == null ? dSae : activity.length, dSae);
        requireLength("logits", logits == null ? dSae : logits.length, dSae);
        requireLength("ablation", ablation == null ? dSae : ablation.length, dSae);
        if (neighbours.n() > 0 && neighbours.index().length != dSae * neighbours.n()) {
            throw new IllegalArgumentException("neighbours cover " + neighbours.index().length / neighbours.n()
                    + " features, the SAE has " + dSae);
        }
        sources = new LinkedHashMap<>(sources);
    }

    public int dSae() {
        return decoderNorm.length;
    }

    private static void requireLength(String name, int length, int dSae) {
        if (length != dSae) {
            throw new IllegalArgumentException(name + " has " + length + " entries for " + dSae + " features");
        }
    }
}
