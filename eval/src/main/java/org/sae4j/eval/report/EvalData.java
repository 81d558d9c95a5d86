package org.sae4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * The one adapter from what {@code sae4j eval --model} writes to the report's parts: if that layout changes, this
 * file changes and nothing else.
 *
 * <p>Read: {@code eval.json}, whose sections (reconstruction, sparsity, spliced loss, KL, …) join the report's
 * evaluation table as they are, and whose {@code features.dir} names the per-feature folder beside it:
 * {@code index.json} ({@code d_sae}) and {@code <i>.json} per feature with {@code density}, {@code firings},
 * {@code mean_act}, {@code max_act}, {@code acts_histogram} ({@code bin_edges}, {@code bar_heights}), {@code top} and
 * {@code quantiles} ({@code lower}, {@code upper}, {@code count}, {@code seq_data}) of sae-viewer SequenceInfos
 * ({@code doc_id}, {@code idx}, {@code act}, {@code tokens}, {@code acts}, and {@code ablate_loss_diff} for ablated
 * features), {@code logits} ({@code top_tokens},
 * {@code top_logits}, {@code bottom_tokens}, {@code bottom_logits}) and {@code ablation} (null, or
 * {@code documents}, {@code firings}, {@code delta_loss}, {@code delta_loss_top}, {@code kl},
 * {@code top_upvote_tokens}, {@code top_upvotes_logprob}, {@code top_downvote_tokens},
 * {@code top_downvotes_logprob}). Decoder neighbours are not read: the report computes them from the weights.
 *
 * @param sections  eval.json without its {@code features} pointer
 * @param density   [dSae], or null when the file has no per-feature folder
 * @param activity  [dSae] or null
 * @param logits    [dSae] or null
 * @param ablation  [dSae] or null; null entries for features that were not ablated
 * @param features  how many feature files were read
 */
public record EvalData(ObjectNode sections, double[] density, FeatureActivity[] activity, LogitEffect[] logits,
                       AblationEffect[] ablation, int features) {

    /** True when {@code eval} (an eval.json tree) points at a per-feature folder, as {@code eval --model} writes. */
    public static boolean hasFeatures(JsonNode eval) {
        return eval != null && eval.path("features").path("dir").isTextual();
    }

    public static EvalData read(Path evalJson, int dSae) {
        JsonNode root = Json.readTree(evalJson);
        if (!root.isObject()) {
            throw new BadInputException(evalJson + ": expected a JSON object (the eval.json of sae4j eval)");
        }
        ObjectNode sections = ((ObjectNode) root).deepCopy();
        sections.remove("features");
        if (!hasFeatures(root)) {
            return new EvalData(sections, null, null, null, null, 0);
        }
        Path dir = evalJson.toAbsolutePath().resolveSibling(root.at("/features/dir").asText());
        JsonNode index = Json.readTree(dir.resolve("index.json"));
        if (index.path("d_sae").asInt(-1) != dSae) {
            throw new BadInputException(dir.resolve("index.json") + ": describes " + index.path("d_sae").asText("?")
                    + " features but the SAE has " + dSae + " (is this eval data for another SAE?)");
        }
        double[] density = new double[dSae];
        FeatureActivity[] activity = new FeatureActivity[dSae];
        LogitEffect[] logits = new LogitEffect[dSae];
        AblationEffect[] ablation = new AblationEffect[dSae];
        Arrays.fill(density, Double.NaN);
        for (int j = 0; j < dSae; j++) {
            Path file = dir.resolve(j + ".json");
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file + ": missing; " + dir + " must hold one file per feature");
            }
            Parse p = new Parse(file, j);
            JsonNode f = Json.readTree(file);
            if (f.path("index").asInt(-1) != j) {
                throw p.bad("'index' is " + f.path("index") + ", not " + j);
            }
            density[j] = f.path("density").isNumber() ? f.get("density").asDouble() : Double.NaN;
            activity[j] = f.has("top") ? p.activity(f) : null;
            JsonNode l = f.get("logits");
            logits[j] = l == null || l.isNull() ? null : new LogitEffect(p.tokenValues(l, "top_tokens", "top_logits"),
                    p.tokenValues(l, "bottom_tokens", "bottom_logits"));
            JsonNode a = f.get("ablation");
            ablation[j] = a == null || a.isNull() ? null : new AblationEffect(a.path("documents").asLong(),
                    a.path("firings").asLong(), p.number(a, "delta_loss"), p.number(a, "delta_loss_top"),
                    p.number(a, "kl"), p.tokenValues(a, "top_upvote_tokens", "top_upvotes_logprob"),
                    p.tokenValues(a, "top_downvote_tokens", "top_downvotes_logprob"));
        }
        return new EvalData(sections, density, nullIfEmpty(activity), nullIfEmpty(logits), nullIfEmpty(ablation),
                dSae);
    }

    private static <T> T[] nullIfEmpty(T[] parts) {
        for (T t : parts) {
            if (t != null) {
                return parts;
            }
        }
        return null;
    }

    /** Reading one feature file; every error names the file and the feature. */
    private static final class Parse {
        private final Path file;
        private final int feature;

        Parse(Path file, int feature) {
            this.file = file;
            this.feature = feature;
        }

        FeatureActivity activity(JsonNode f) {
            FeatureActivity.Histogram histogram = null;
            JsonNode h = f.get("acts_histogram");
            if (h != null && !h.isNull()) {
                double[] edges = doubles(h, "bin_edges");
                long[] counts = new long[h.path("bar_heights").size()];
                for (int b = 0; b < counts.length; b++) {
                    counts[b] = h.get("bar_heights").get(b).asLong();
                }
                histogram = checked(() -> new FeatureActivity.Histogram(edges, counts));
            }
            List<FeatureActivity.QuantileGroup> groups = new ArrayList<>();
            for (JsonNode g : f.path("quantiles")) {
                groups.add(new FeatureActivity.QuantileGroup(number(g, "lower"), number(g, "upper"),
                        g.path("count").asLong(), examples(g.path("seq_data"))));
            }
            FeatureActivity.Histogram hist = histogram;
            return checked(() -> new FeatureActivity(f.path("firings").asLong(), number(f, "mean_act"),
                    number(f, "max_act"), hist, examples(f.path("top")), groups));
        }

        List<FeatureActivity.Example> examples(JsonNode list) {
            List<FeatureActivity.Example> out = new ArrayList<>();
            for (JsonNode e : list) {
                List<String> tokens = new ArrayList<>();
                e.path("tokens").forEach(t -> tokens.add(t.asText()));
                float[] acts = floats(e.path("acts"), 0);
                float[] lossDiff = e.path("ablate_loss_diff").isArray() ? floats(e.get("ablate_loss_diff"), Float.NaN)
                        : null;
                out.add(checked(() -> new FeatureActivity.Example(e.path("doc_id").asInt(-1), e.path("idx").asInt(),
                        number(e, "act"), tokens, acts, lossDiff)));
            }
            return out;
        }

        /** sae_vis's parallel arrays: the tokens and their values. */
        List<TokenValue> tokenValues(JsonNode parent, String tokensName, String valuesName) {
            JsonNode tokens = parent.path(tokensName);
            JsonNode values = parent.path(valuesName);
            if (tokens.size() != values.size()) {
                throw bad(tokensName + " has " + tokens.size() + " entries but " + valuesName + " has "
                        + values.size());
            }
            List<TokenValue> out = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                out.add(new TokenValue(tokens.get(i).asText(), values.get(i).isNumber() ? values.get(i).asDouble()
                        : Double.NaN));
            }
            return out;
        }

        double[] doubles(JsonNode parent, String field) {
            JsonNode a = parent.path(field);
            double[] out = new double[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).isNumber() ? a.get(i).asDouble() : 0;
            }
            return out;
        }

        /** A number, NaN for JSON null (what eval writes for an undefined value); anything else is bad input. */
        /** A JSON array of numbers; {@code absent} stands for null entries. */
        float[] floats(JsonNode array, float absent) {
            float[] out = new float[array.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = array.get(i).isNumber() ? (float) array.get(i).asDouble() : absent;
            }
            return out;
        }

        double number(JsonNode parent, String field) {
            JsonNode v = parent.get(field);
            if (v != null && v.isNumber()) {
                return v.asDouble();
            }
            if (v != null && v.isNull()) {
                return Double.NaN;
            }
            throw bad("'" + field + "' is missing or not a number");
        }

        private <T> T checked(Supplier<T> make) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
        }

        BadInputException bad(String what) {
            return new BadInputException(file + ": feature " + feature + ": " + what);
        }
    }
}
