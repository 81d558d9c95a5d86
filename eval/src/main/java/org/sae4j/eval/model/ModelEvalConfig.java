package org.sae4j.eval.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.formats.Json;

/**
 * How {@link ModelEvaluator} runs: where the SAE sits, how much text it reads, and how much per-feature detail it
 * keeps. Fixed for the whole evaluation and saved in eval.json.
 *
 * @param hook             where the SAE reads its input and where reconstructions are spliced in
 * @param contextSize      tokens per document from BOS; longer documents are truncated (the loss protocol of the data
 *                         README: 512 for stories260K)
 * @param batchTokens      tokens per forward pass, in whole documents (a pass holds at least one); memory is about
 *                         {@code 3 · batchTokens · vocab} floats
 * @param maxTokens        read documents until this many tokens (0: the whole text)
 * @param ablatedFeatures  ablate this many features one at a time, the most often firing first (0: none)
 * @param ablationDocuments per ablated feature, rerun at most this many documents it fires in (the first ones) for
 *                         its mean effects, plus those holding its top examples; bounds the cost of frequent features
 * @param topExamples      top-activating examples kept per feature
 * @param quantileGroups   equal-width activation intervals over (0, max] from which examples are sampled
 * @param examplesPerGroup examples sampled uniformly from each interval
 * @param contextBefore    tokens shown before an example's token
 * @param contextAfter     tokens shown after it
 * @param logitTokens      tokens listed per direction for logit effects and for ablation's moved tokens
 * @param neighbours       nearest features by decoder cosine, per feature
 * @param histogramBins    bins of each feature's activation histogram over (0, max]
 * @param seed             seeds the sampling of quantile examples
 */
public record ModelEvalConfig(
        HookPoint hook,
        int contextSize,
        int batchTokens,
        long maxTokens,
        int ablatedFeatures,
        int ablationDocuments,
        int topExamples,
        int quantileGroups,
        int examplesPerGroup,
        int contextBefore,
        int contextAfter,
        int logitTokens,
        int neighbours,
        int histogramBins,
        long seed) {

    public ModelEvalConfig {
        if (hook == null) {
            throw new IllegalArgumentException("hook is null");
        }
        require(contextSize >= 2, "context_size must be at least 2 (BOS and one token to predict)");
        require(batchTokens >= 1, "batch_tokens must be positive");
        require(maxTokens >= 0, "max_tokens must be >= 0 (0: the whole text)");
        require(ablatedFeatures >= 0, "ablated_features must be >= 0");
        require(ablationDocuments >= 1, "ablation_documents must be positive");
        require(topExamples >= 0 && quantileGroups >= 0 && examplesPerGroup >= 0,
                "example counts must be >= 0");
        require(contextBefore >= 0 && contextAfter >= 0, "context widths must be >= 0");
        require(logitTokens >= 1, "logit_tokens must be positive");
        require(neighbours >= 0, "neighbours must be >= 0");
        require(histogramBins >= 1, "histogram_bins must be positive");
    }

    /** The defaults the CLI starts from: suited to stories260K-sized models and SAEs of up to a few thousand latents. */
    public static ModelEvalConfig defaults(HookPoint hook) {
        return new ModelEvalConfig(hook, 512, 4096, 0, 64, 50, 10, 5, 3, 12, 4, 10, 10, 40, 0);
    }

    /** The config as saved in eval.json (snake_case, the hook by its TransformerLens name). */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("hook_name", hook.name());
        o.put("context_size", contextSize);
        o.put("batch_tokens", batchTokens);
        o.put("max_tokens", maxTokens);
        o.put("ablated_features", ablatedFeatures);
        o.put("ablation_documents", ablationDocuments);
        o.put("top_examples", topExamples);
        o.put("quantile_groups", quantileGroups);
        o.put("examples_per_group", examplesPerGroup);
        o.put("context_before", contextBefore);
        o.put("context_after", contextAfter);
        o.put("logit_tokens", logitTokens);
        o.put("neighbours", neighbours);
        o.put("histogram_bins", histogramBins);
        o.put("seed", seed);
        return o;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
