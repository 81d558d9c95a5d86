package org.sae4j.eval.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.IntStream;
import org.sae4j.eval.EvalResult;

/**
 * What {@code sae4j eval --model} reports: the reconstruction and sparsity metrics on the model's activations, the
 * spliced losses, and the per-feature data (written separately by {@link FeatureFiles}).
 *
 * @param config    how the evaluation ran
 * @param base      reconstruction and sparsity on the SAE's inputs (the non-BOS tokens)
 * @param loss      clean and spliced next-token losses and KL divergences
 * @param features  per-feature data
 * @param documents documents evaluated
 * @param tokens    tokens in them, BOS included
 * @param seconds   wall time of the evaluation
 */
public record ModelEvalResult(ModelEvalConfig config, EvalResult base, SplicedLoss loss, FeatureData features,
                              int documents, long tokens, double seconds) {

    /** The folder of per-feature files, relative to eval.json. */
    public static final String FEATURES_DIR = "features";

    /** eval.json: the reconstruction and sparsity sections, then the model-in-the-loop sections. */
    public ObjectNode toJson() {
        ObjectNode root = base.toJson();
        ObjectNode text = root.putObject("text");
        text.put("documents", documents);
        text.put("tokens", tokens);
        text.put("predicted_tokens", loss.predictedTokens());
        text.put("sae_input_tokens", base.reconstruction().tokens());
        ObjectNode perf = root.putObject("model_performance_preservation");
        perf.put("ce_loss_score", loss.ceLossScore());
        perf.put("ce_loss_with_ablation", loss.ceLossWithAblation());
        perf.put("ce_loss_with_sae", loss.ceLossWithSae());
        perf.put("ce_loss_without_sae", loss.ceLossWithoutSae());
        perf.put("ce_loss_with_sae_plus_error", loss.ceLossWithSaePlusError());
        ObjectNode behaviour = root.putObject("model_behavior_preservation");
        behaviour.put("kl_div_score", loss.klDivScore());
        behaviour.put("kl_div_with_ablation", loss.klDivWithAblation());
        behaviour.put("kl_div_with_sae", loss.klDivWithSae());
        behaviour.put("kl_div_with_sae_plus_error", loss.klDivWithSaePlusError());
        ObjectNode f = root.putObject("features");
        f.put("dir", FEATURES_DIR);
        f.put("index", FEATURES_DIR + "/" + FeatureFiles.INDEX);
        f.put("count", features.size());
        ObjectNode ablated = f.putObject("ablated");
        for (int j : ablatedByEffect()) {
            ablated.set(Integer.toString(j), FeatureFiles.number(features.ablation(j).deltaLossAtFiring()));
        }
        root.set("eval_config", config.toJson());
        root.put("seconds", seconds);
        return root;
    }

    /** The ablated features, largest mean Δloss at firing first (undefined ones last). */
    int[] ablatedByEffect() {
        return IntStream.range(0, features.size()).filter(j -> features.ablation(j) != null)
                .boxed().sorted(Comparator.comparingDouble((Integer j) -> {
                    double d = features.ablation(j).deltaLossAtFiring();
                    return Double.isNaN(d) ? Double.POSITIVE_INFINITY : -d;
                }).thenComparingInt(j -> j)).mapToInt(Integer::intValue).toArray();
    }

    /** The table {@code sae4j eval --model} prints. */
    public String toTable() {
        StringBuilder s = new StringBuilder(base.toTable());
        row(s, "documents / tokens", String.format(Locale.ROOT, "%,d / %,d", documents, tokens));
        row(s, "ce_loss_without_sae", f(loss.ceLossWithoutSae()));
        row(s, "ce_loss_with_sae", f(loss.ceLossWithSae()));
        row(s, "ce_loss_with_ablation", f(loss.ceLossWithAblation()));
        row(s, "ce_loss_score", f(loss.ceLossScore()));
        row(s, "kl_div_with_sae", f(loss.klDivWithSae()));
        row(s, "kl_div_with_ablation", f(loss.klDivWithAblation()));
        row(s, "kl_div_score", f(loss.klDivScore()));
        row(s, "self-check: x̂ + error", String.format(Locale.ROOT, "CE %+.2e vs clean, KL %.2e (both should be ~0)",
                loss.ceLossWithSaePlusError() - loss.ceLossWithoutSae(), loss.klDivWithSaePlusError()));
        int[] order = ablatedByEffect();
        if (order.length > 0) {
            s.append(String.format(Locale.ROOT, "  ablation: %d most frequent features; largest mean Δloss where"
                    + " they fire:%n", order.length));
            for (int i = 0; i < Math.min(5, order.length); i++) {
                AblationEffect a = features.ablation(order[i]);
                s.append(String.format(Locale.ROOT, "    feature %-6d Δloss %+.4f  KL %.4f  density %.4f%n",
                        a.feature(), a.deltaLossAtFiring(), a.klAtFiring(), features.density(a.feature())));
            }
        }
        row(s, "evaluated in", String.format(Locale.ROOT, "%.1f s", seconds));
        return s.toString();
    }

    private static void row(StringBuilder s, String name, String value) {
        s.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
