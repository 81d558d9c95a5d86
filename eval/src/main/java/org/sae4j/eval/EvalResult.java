package org.sae4j.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.sae4j.formats.Json;

/**
 * Everything {@code sae4j eval} reports. Field names in eval.json follow SAELens/SAEBench where they exist.
 *
 * @param reconstruction reconstruction and sparsity on the evaluated tokens
 * @param histogram      latents per log10-firing-frequency bin
 * @param recovery       ground-truth recovery, for synthetic sources only (else null)
 */
public record EvalResult(Reconstruction reconstruction, FrequencyHistogram histogram, GroundTruthRecovery recovery) {
    /** A latent firing on more than 1% of tokens counts as dense. */
    public static final double DENSE_THRESHOLD = 0.01;

    /**
     * @param tokens                   tokens evaluated
     * @param mse                      mean over tokens and dimensions of (x − x̂)²
     * @param msePerToken              mean over tokens of ‖x − x̂‖² (the training loss's scale)
     * @param normalizedMse            Σ‖x − x̂‖² / Σ‖x − μ‖²: MSE relative to always predicting the mean
     *                                 (Gao et al. 2024's normalized MSE; equals 1 − explainedVariance)
     * @param explainedVariance        1 − E‖x − x̂‖² / Σ_d Var(x_d), variance over all evaluated tokens
     * @param explainedVarianceLegacy  mean over tokens of 1 − ‖x − x̂‖² / ‖x − μ_batch‖² (SAELens's older, per-token
     *                                 definition; sensitive to tokens near the mean)
     * @param cosineSimilarity         mean over tokens of cos(x, x̂)
     * @param relativeReconstructionError Σ‖x − x̂‖² / Σ‖x‖² (uncentred)
     * @param l0                       mean active latents per token
     * @param l1                       mean Σ_j f_j per token
     * @param deadFraction             latents that never fired on the evaluated tokens
     * @param denseFraction            latents firing on more than 1% of tokens
     * @param firingFrequency          per latent, the fraction of tokens it fired on
     */
    public record Reconstruction(
            long tokens,
            double mse,
            double msePerToken,
            double normalizedMse,
            double explainedVariance,
            double explainedVarianceLegacy,
            double cosineSimilarity,
            double relativeReconstructionError,
            double l0,
            double l1,
            double deadFraction,
            double denseFraction,
            double[] firingFrequency) {
    }

    /** eval.json. */
    public ObjectNode toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        Reconstruction r = reconstruction;
        ObjectNode rec = root.putObject("reconstruction");
        rec.put("tokens", r.tokens());
        rec.put("mse", r.mse());
        rec.put("mse_per_token", r.msePerToken());
        rec.put("normalized_mse", r.normalizedMse());
        rec.put("explained_variance", r.explainedVariance());
        rec.put("explained_variance_legacy", r.explainedVarianceLegacy());
        rec.put("cossim", r.cosineSimilarity());
        rec.put("relative_reconstruction_error", r.relativeReconstructionError());
        ObjectNode sp = root.putObject("sparsity");
        sp.put("l0", r.l0());
        sp.put("l1", r.l1());
        sp.put("dead_fraction", r.deadFraction());
        sp.put("dense_fraction", r.denseFraction());
        sp.put("dense_threshold", DENSE_THRESHOLD);
        ObjectNode h = sp.putObject("log10_firing_frequency_histogram");
        ArrayNode edges = h.putArray("bin_edges");
        for (double e : histogram.edges()) {
            edges.add(e);
        }
        ArrayNode counts = h.putArray("counts");
        for (int c : histogram.counts()) {
            counts.add(c);
        }
        h.put("never_fired", histogram.neverFired());
        if (recovery != null) {
            ObjectNode g = root.putObject("ground_truth");
            g.put("mmcs", recovery.mmcs());
            g.put("fraction_matched", recovery.fractionMatched());
            g.put("match_threshold", GroundTruthRecovery.MATCH_THRESHOLD);
            g.put("true_features", recovery.bestCosine().length);
        }
        return root;
    }

    /** The table {@code sae4j eval} and {@code sae4j train} print. */
    public String toTable() {
        Reconstruction r = reconstruction;
        StringBuilder s = new StringBuilder();
        row(s, "tokens evaluated", String.format(Locale.ROOT, "%,d", r.tokens()));
        row(s, "explained_variance", f(r.explainedVariance()));
        row(s, "explained_variance_legacy", f(r.explainedVarianceLegacy()));
        row(s, "normalized_mse", f(r.normalizedMse()));
        row(s, "mse (per element)", g(r.mse()));
        row(s, "cossim", f(r.cosineSimilarity()));
        row(s, "l0", String.format(Locale.ROOT, "%.2f", r.l0()));
        row(s, "l1", g(r.l1()));
        row(s, "dead_fraction", f(r.deadFraction()));
        row(s, "dense_fraction (>1%)", f(r.denseFraction()));
        s.append("  log10 firing frequency: ").append(histogram.sparkline()).append('\n');
        if (recovery != null) {
            row(s, "ground truth MMCS", f(recovery.mmcs()));
            row(s, "true features matched >0.9", String.format(Locale.ROOT, "%.1f%% of %d",
                    100 * recovery.fractionMatched(), recovery.bestCosine().length));
        }
        return s.toString();
    }

    private static void row(StringBuilder s, String name, String value) {
        s.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String g(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
