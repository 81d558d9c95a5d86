package org.sae4j.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sae4j.eval.FrequencyHistogram;
import org.sae4j.formats.Json;

/**
 * {@link ReportData} in the report's JSON layout (docs/report-data.md): a summary, a column-wise index of all
 * features, and one object per feature. Numbers are rounded to 4 significant digits, which no chart can tell apart
 * and which keeps a 16,384-feature index small enough to load at once.
 */
public final class ReportJson {
    /** The layout's name and version, written into summary.json so a reader can tell what it holds. */
    public static final String FORMAT = "sae4j-report/1";
    /** Distinct tokens per feature in the index, for the search over top tokens. */
    static final int TOP_TOKENS = 6;

    private ReportJson() {
    }

    /** summary.json: the run page and what the report holds and lacks. */
    public static ObjectNode summary(ReportData d) {
        ObjectNode s = Json.mapper().createObjectNode();
        RunInfo run = d.run();
        s.put("format", FORMAT);
        s.put("title", run.title());
        s.put("d_sae", d.dSae());
        s.put("d_in", run.cfg().path("d_in").asInt());
        s.set("cfg", run.cfg());
        s.set("settings", run.settings());
        ObjectNode curves = s.putObject("curves");
        run.curves().forEach((name, values) -> numbers(curves.putArray(name), values));
        s.set("eval", run.eval());
        if (d.density() != null) {
            FrequencyHistogram h = FrequencyHistogram.of(d.density());
            ObjectNode dh = s.putObject("density_histogram");
            numbers(dh.putArray("bin_edges"), h.edges());
            ArrayNode counts = dh.putArray("counts");
            for (int c : h.counts()) {
                counts.add(c);
            }
            dh.put("never_fired", h.neverFired());
        } else {
            s.putNull("density_histogram");
        }
        s.put("neighbours", d.neighbours().n());
        s.set("sources", Json.mapper().valueToTree(d.sources()));
        ArrayNode missing = s.putArray("missing");
        missing(d).forEach(missing::add);
        ArrayNode notes = s.putArray("notes");
        run.notes().forEach(notes::add);
        return s;
    }

    /** What the report lacks, each with the way to get it, in the words the pages show. */
    public static List<String> missing(ReportData d) {
        List<String> m = new ArrayList<>();
        if (d.density() == null) {
            m.add("density: the SAE folder has no sparsity.safetensors; give --model, --tokenizer and --text for a"
                    + " pass over text, or --eval-data");
        }
        if (d.activity() == null) {
            m.add("top-activating examples, quantile groups and activation histograms: need a pass of the model"
                    + " over text (--model, --tokenizer, --text) or per-feature eval data (--eval-data)");
        }
        if (d.logits() == null) {
            m.add("logit effects: need the model's unembedding (--model) or per-feature eval data (--eval-data)");
        }
        if (d.ablation() == null) {
            m.add("ablation effects: need per-feature eval data from sae4j eval with the model in the loop"
                    + " (--eval-data)");
        }
        if (d.run().curves().isEmpty()) {
            m.add("training curves: the SAE folder has no " + RunFolder.METRICS);
        }
        if (d.run().eval() == null) {
            m.add("evaluation table: the SAE folder has no " + RunFolder.EVAL + " and no --eval-data was given");
        }
        return m;
    }

    /** index.json: every feature's sortable numbers and top tokens, column by column (null: not in the data). */
    public static ObjectNode index(ReportData d) {
        int n = d.dSae();
        ObjectNode x = Json.mapper().createObjectNode();
        x.put("d_sae", n);
        column(x, "density", d.density() == null ? null : d.density());
        double[] max = null;
        double[] mean = null;
        if (d.activity() != null) {
            max = new double[n];
            mean = new double[n];
            for (int j = 0; j < n; j++) {
                FeatureActivity a = d.activity()[j];
                max[j] = a == null ? Double.NaN : a.maxAct();
                mean[j] = a == null ? Double.NaN : a.meanAct();
            }
        }
        column(x, "max_act", max);
        column(x, "mean_act", mean);
        double[] ablation = null;
        if (d.ablation() != null) {
            ablation = new double[n];
            for (int j = 0; j < n; j++) {
                ablation[j] = d.ablation()[j] == null ? Double.NaN : d.ablation()[j].meanLossDelta();
            }
        }
        column(x, "ablation", ablation);
        double[] norms = new double[n];
        for (int j = 0; j < n; j++) {
            norms[j] = d.decoderNorm()[j];
        }
        column(x, "decoder_norm", norms);
        if (d.activity() == null) {
            x.putNull("top_tokens");
        } else {
            ArrayNode tokens = x.putArray("top_tokens");
            for (FeatureActivity a : d.activity()) {
                ArrayNode t = tokens.addArray();
                if (a != null) {
                    topTokens(a).forEach(t::add);
                }
            }
        }
        return x;
    }

    /** The distinct tokens the top examples were chosen for, most frequent first. */
    static List<String> topTokens(FeatureActivity a) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (FeatureActivity.Example e : a.top()) {
            counts.merge(e.tokens().get(e.idx()), 1, Integer::sum);
        }
        List<String> order = new ArrayList<>(counts.keySet());
        order.sort((p, q) -> counts.get(q) - counts.get(p)); // stable: ties keep first appearance
        return order.subList(0, Math.min(TOP_TOKENS, order.size()));
    }

    /** features/<j>.json: everything about feature j. */
    public static ObjectNode feature(ReportData d, int j) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("feature", j);
        number(f, "density", d.density() == null ? Double.NaN : d.density()[j]);
        number(f, "decoder_norm", d.decoderNorm()[j]);
        FeatureActivity a = d.activity() == null ? null : d.activity()[j];
        if (a != null) {
            f.put("firings", a.firings());
            number(f, "mean_act", a.meanAct());
            number(f, "max_act", a.maxAct());
            f.set("act_histogram", a.histogram() == null ? null : histogram(a.histogram()));
            examples(f.putArray("top"), a.top());
            ArrayNode groups = f.putArray("quantiles");
            for (FeatureActivity.QuantileGroup g : a.quantiles()) {
                ObjectNode o = groups.addObject();
                number(o, "lo", g.lo());
                number(o, "hi", g.hi());
                number(o, "fraction", g.fraction());
                examples(o.putArray("examples"), g.examples());
            }
        }
        LogitEffect l = d.logits() == null ? null : d.logits()[j];
        if (l != null) {
            ObjectNode o = f.putObject("logits");
            tokenValues(o.putArray("positive"), l.positive());
            tokenValues(o.putArray("negative"), l.negative());
        }
        AblationEffect ab = d.ablation() == null ? null : d.ablation()[j];
        if (ab != null) {
            ObjectNode o = f.putObject("ablation");
            number(o, "mean_loss_delta", ab.meanLossDelta());
            number(o, "top_loss_delta", ab.topLossDelta());
            o.put("tokens", ab.tokens());
            tokenValues(o.putArray("down"), ab.down());
            tokenValues(o.putArray("up"), ab.up());
        }
        ArrayNode near = f.putArray("neighbours");
        DecoderNeighbours nb = d.neighbours();
        for (int r = 0; r < nb.n(); r++) {
            ObjectNode o = near.addObject();
            o.put("feature", nb.feature(j, r));
            number(o, "cosine", nb.cosine(j, r));
        }
        return f;
    }

    private static ObjectNode histogram(FeatureActivity.Histogram h) {
        ObjectNode o = Json.mapper().createObjectNode();
        numbers(o.putArray("bin_edges"), h.edges());
        ArrayNode counts = o.putArray("counts");
        for (long c : h.counts()) {
            counts.add(c);
        }
        return o;
    }

    private static void examples(ArrayNode out, List<FeatureActivity.Example> examples) {
        for (FeatureActivity.Example e : examples) {
            ObjectNode o = out.addObject();
            o.put("doc_id", e.docId());
            o.put("idx", e.idx());
            number(o, "act", e.act());
            ArrayNode tokens = o.putArray("tokens");
            e.tokens().forEach(tokens::add);
            ArrayNode acts = o.putArray("acts");
            for (float v : e.acts()) {
                if (v == 0) {
                    acts.add(0); // most tokens of an example: "0" rather than "0.0" keeps the files a third smaller
                } else {
                    acts.add(round(v));
                }
            }
        }
    }

    private static void tokenValues(ArrayNode out, List<TokenValue> values) {
        for (TokenValue t : values) {
            ObjectNode o = out.addObject();
            o.put("token", t.token());
            number(o, "value", t.value());
        }
    }

    private static void column(ObjectNode x, String name, double[] values) {
        if (values == null) {
            x.putNull(name);
        } else {
            numbers(x.putArray(name), values);
        }
    }

    private static void numbers(ArrayNode out, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                out.add(round(v));
            } else {
                out.addNull();
            }
        }
    }

    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, round(v));
        } else {
            o.putNull(name);
        }
    }

    /** v to 4 significant digits (exact for 0). */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        int digits = 3 - (int) Math.floor(Math.log10(Math.abs(v)));
        // Divide or multiply by an exact power of ten, so the result is the double nearest the rounded decimal.
        return digits >= 0 ? Math.round(v * Math.pow(10, digits)) / Math.pow(10, digits)
                : Math.round(v / Math.pow(10, -digits)) * Math.pow(10, -digits);
    }

    /** A JSON value as one compact line, for the .js twin of a .json file. */
    static String compact(JsonNode node) {
        try {
            return Json.compactWriter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
