package org.sae4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * The one adapter from the per-feature output of {@code sae4j eval} with the model in the loop to the report's
 * parts: if that file's layout changes, this file changes and nothing else.
 *
 * <p>Read: a JSON object whose {@code features} array holds per-feature objects in the report's own per-feature layout
 * (docs/report-data.md: {@code feature}, {@code density}, {@code mean_act}, {@code max_act}, {@code act_histogram},
 * {@code top}, {@code quantiles}, {@code logits}, {@code ablation}; any may be absent). Every other top-level field is
 * an evaluation section (spliced loss, KL, …) and joins the report's evaluation table as it is.
 *
 * @param sections  the file without {@code features}
 * @param density   [dSae] or null when no feature entry has one (NaN where one feature lacks it)
 * @param activity  [dSae] or null when no entry has examples or activation statistics
 * @param logits    [dSae] or null
 * @param ablation  [dSae] or null
 * @param features  how many features the file describes
 */
public record EvalData(ObjectNode sections, double[] density, FeatureActivity[] activity, LogitEffect[] logits,
                       AblationEffect[] ablation, int features) {

    public static EvalData read(Path file, int dSae) {
        JsonNode root = Json.readTree(file);
        if (!root.isObject()) {
            throw new BadInputException(file + ": expected a JSON object (the output of sae4j eval)");
        }
        ObjectNode sections = ((ObjectNode) root).deepCopy();
        JsonNode list = sections.remove("features");
        double[] density = null;
        FeatureActivity[] activity = null;
        LogitEffect[] logits = null;
        AblationEffect[] ablation = null;
        int count = 0;
        if (list != null) {
            if (!list.isArray()) {
                throw new BadInputException(file + ": 'features' must be an array of per-feature objects");
            }
            for (JsonNode f : list) {
                Parse p = new Parse(file, f, dSae);
                int j = p.feature;
                count++;
                if (f.hasNonNull("density")) {
                    density = density == null ? nan(dSae) : density;
                    density[j] = p.number(f, "density");
                }
                if (f.has("top") || f.has("max_act")) {
                    activity = activity == null ? new FeatureActivity[dSae] : activity;
                    activity[j] = p.activity(f);
                }
                if (f.hasNonNull("logits")) {
                    logits = logits == null ? new LogitEffect[dSae] : logits;
                    logits[j] = new LogitEffect(p.tokenValues(f.get("logits"), "positive"),
                            p.tokenValues(f.get("logits"), "negative"));
                }
                if (f.hasNonNull("ablation")) {
                    ablation = ablation == null ? new AblationEffect[dSae] : ablation;
                    JsonNode a = f.get("ablation");
                    ablation[j] = new AblationEffect(p.number(a, "mean_loss_delta"),
                            a.hasNonNull("top_loss_delta") ? p.number(a, "top_loss_delta") : Double.NaN,
                            a.path("tokens").asLong(0), p.tokenValues(a, "down"), p.tokenValues(a, "up"));
                }
            }
        }
        return new EvalData(sections, density, activity, logits, ablation, count);
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    /** Reading one feature entry; every error names the file and the feature. */
    private static final class Parse {
        private final Path file;
        private final int feature;

        Parse(Path file, JsonNode f, int dSae) {
            this.file = file;
            if (!f.isObject() || !f.path("feature").canConvertToInt()) {
                throw new BadInputException(file + ": a 'features' entry lacks its integer 'feature' index");
            }
            this.feature = f.get("feature").asInt();
            if (feature < 0 || feature >= dSae) {
                throw new BadInputException(file + ": feature " + feature + " is outside the SAE's " + dSae
                        + " latents (is this eval data for another SAE?)");
            }
        }

        FeatureActivity activity(JsonNode f) {
            FeatureActivity.Histogram histogram = histogram(f.get("act_histogram"));
            List<FeatureActivity.QuantileGroup> groups = new ArrayList<>();
            for (JsonNode g : f.path("quantiles")) {
                groups.add(new FeatureActivity.QuantileGroup(number(g, "lo"), number(g, "hi"), number(g, "fraction"),
                        examples(g.path("examples"))));
            }
            long firings = f.path("firings").asLong(0);
            return checked(() -> new FeatureActivity(firings, f.path("mean_act").asDouble(Double.NaN),
                    f.path("max_act").asDouble(Double.NaN), histogram, examples(f.path("top")), groups));
        }

        FeatureActivity.Histogram histogram(JsonNode h) {
            if (h == null || h.isNull()) {
                return null;
            }
            double[] edges = doubles(h, "bin_edges");
            long[] counts = new long[h.path("counts").size()];
            for (int b = 0; b < counts.length; b++) {
                counts[b] = h.get("counts").get(b).asLong();
            }
            return checked(() -> new FeatureActivity.Histogram(edges, counts));
        }

        List<FeatureActivity.Example> examples(JsonNode list) {
            List<FeatureActivity.Example> out = new ArrayList<>();
            for (JsonNode e : list) {
                List<String> tokens = new ArrayList<>();
                e.path("tokens").forEach(t -> tokens.add(t.asText()));
                double[] acts = doubles(e, "acts");
                float[] f = new float[acts.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) acts[i];
                }
                out.add(checked(() -> new FeatureActivity.Example(e.path("doc_id").asInt(-1), e.path("idx").asInt(),
                        number(e, "act"), tokens, f)));
            }
            return out;
        }

        List<TokenValue> tokenValues(JsonNode parent, String field) {
            List<TokenValue> out = new ArrayList<>();
            for (JsonNode t : parent.path(field)) {
                if (!t.path("token").isTextual()) {
                    throw bad(field + " entry lacks its 'token' text");
                }
                out.add(new TokenValue(t.get("token").asText(), number(t, "value")));
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

        double number(JsonNode parent, String field) {
            JsonNode v = parent.get(field);
            if (v == null || !v.isNumber()) {
                throw bad("'" + field + "' is missing or not a number");
            }
            return v.asDouble();
        }

        private <T> T checked(Supplier<T> make) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
        }

        private BadInputException bad(String what) {
            return new BadInputException(file + ": feature " + feature + ": " + what);
        }
    }
}
