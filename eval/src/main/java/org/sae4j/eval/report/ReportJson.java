package org.sae4j.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    /**
     * index.json: one row per feature with what the index page sorts, filters and searches (the row of
     * {@code sae4j eval}'s features/index.json, plus the decoder norm); null where a part is not in the data, and
     * {@code has} saying which parts are.
     */
    public static ObjectNode index(ReportData d) {
        ObjectNode x = Json.mapper().createObjectNode();
        x.put("d_sae", d.dSae());
        ObjectNode has = x.putObject("has");
        has.put("density", d.density() != null);
        has.put("activity", d.activity() != null);
        has.put("logits", d.logits() != null);
        has.put("ablation", d.ablation() != null);
        ArrayNode rows = x.putArray("features");
        for (int j = 0; j < d.dSae(); j++) {
            ObjectNode row = rows.addObject();
            row.put("index", j);
            double density = d.density() == null ? Double.NaN : d.density()[j];
            number(row, "density", density);
            FeatureActivity a = d.activity() == null ? null : d.activity()[j];
            number(row, "max_act", a == null ? Double.NaN : a.maxAct());
            number(row, "mean_act", a == null ? Double.NaN : a.meanAct());
            if (Double.isNaN(density)) {
                row.putNull("dead");
            } else {
                row.put("dead", density == 0);
            }
            AblationEffect ab = d.ablation() == null ? null : d.ablation()[j];
            number(row, "delta_loss", ab == null ? Double.NaN : ab.deltaLoss());
            number(row, "decoder_norm", d.decoderNorm()[j]);
            ArrayNode tokens = row.putArray("top_tokens");
            if (a != null) {
                topTokens(a).forEach(tokens::add);
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

    /**
     * features/&lt;j&gt;.json: everything about feature j, in the layout of {@code sae4j eval}'s per-feature files
     * (sae-viewer's FeatureInfo and SequenceInfo names, sae_vis's where sae-viewer has none), plus the decoder norm.
     */
    public static ObjectNode feature(ReportData d, int j) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("index", j);
        number(f, "density", d.density() == null ? Double.NaN : d.density()[j]);
        number(f, "decoder_norm", d.decoderNorm()[j]);
        FeatureActivity a = d.activity() == null ? null : d.activity()[j];
        if (a != null) {
            f.put("firings", a.firings());
            number(f, "mean_act", a.meanAct());
            number(f, "max_act", a.maxAct());
            if (a.histogram() != null) {
                ObjectNode h = f.putObject("acts_histogram");
                numbers(h.putArray("bin_edges"), a.histogram().edges());
                ArrayNode heights = h.putArray("bar_heights");
                for (long c : a.histogram().counts()) {
                    heights.add(c);
                }
            }
            examples(f.putArray("top"), a.top());
            ArrayNode groups = f.putArray("quantiles");
            for (FeatureActivity.QuantileGroup g : a.quantiles()) {
                ObjectNode o = groups.addObject();
                o.put("title", String.format(Locale.ROOT, "Interval (%.3g, %.3g]", g.lower(), g.upper()));
                number(o, "lower", g.lower());
                number(o, "upper", g.upper());
                o.put("count", g.count());
                examples(o.putArray("seq_data"), g.examples());
            }
        }
        LogitEffect l = d.logits() == null ? null : d.logits()[j];
        if (l != null) {
            ObjectNode o = f.putObject("logits");
            tokenValues(o, "top_tokens", "top_logits", l.positive());
            tokenValues(o, "bottom_tokens", "bottom_logits", l.negative());
        }
        AblationEffect ab = d.ablation() == null ? null : d.ablation()[j];
        if (ab != null) {
            ObjectNode o = f.putObject("ablation");
            o.put("documents", ab.documents());
            o.put("firings", ab.firings());
            number(o, "delta_loss", ab.deltaLoss());
            number(o, "delta_loss_top", ab.deltaLossTop());
            number(o, "kl", ab.kl());
            tokenValues(o, "top_upvote_tokens", "top_upvotes_logprob", ab.upvoted());
            tokenValues(o, "top_downvote_tokens", "top_downvotes_logprob", ab.downvoted());
        }
        ObjectNode near = f.putObject("neighbours");
        ArrayNode ids = near.putArray("indices");
        ArrayNode cos = near.putArray("cossim");
        DecoderNeighbours nb = d.neighbours();
        for (int r = 0; r < nb.n(); r++) {
            ids.add(nb.feature(j, r));
            cos.add(round(nb.cosine(j, r)));
        }
        return f;
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
            if (e.lossDiff() != null) {
                ArrayNode diff = o.putArray("ablate_loss_diff");
                for (float v : e.lossDiff()) {
                    diff.add(Float.isFinite(v) ? (Double) round(v) : null);
                }
            }
        }
    }

    /** Two parallel arrays, as sae_vis's logit table: the tokens and their values. */
    private static void tokenValues(ObjectNode o, String tokensName, String valuesName, List<TokenValue> values) {
        ArrayNode tokens = o.putArray(tokensName);
        ArrayNode numbers = o.putArray(valuesName);
        for (TokenValue t : values) {
            tokens.add(t.token());
            numbers.add(Double.isFinite(t.value()) ? round(t.value()) : null);
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
