package org.sae4j.eval.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.Json;

/**
 * The per-feature data as files a browser loads lazily: {@code features/index.json}, one small row per feature (what
 * the index page sorts and searches), and {@code features/<i>.json}, everything about feature i. The feature file
 * mirrors OpenAI sae-viewer's {@code FeatureInfo} ({@code density}, {@code mean_act}, {@code mean_act_squared},
 * {@code top} as {@code SequenceInfo}s with {@code tokens}, {@code token_ints}, {@code acts}, {@code act},
 * {@code idx}, {@code doc_id}, {@code ablate_loss_diff}) and sae_vis where sae-viewer has no field (the activation
 * histogram's {@code bar_heights}, interval groups with {@code title} and {@code seq_data}, the logits table's
 * {@code top_token_ids}/{@code top_logits}/{@code bottom_*}). The layout is described in docs/evaluation.md.
 */
public final class FeatureFiles {
    public static final String INDEX = "index.json";
    /** Significant digits kept for activations and effects: the files stay small at 16k features. */
    private static final int DIGITS = 5;

    private FeatureFiles() {
    }

    /**
     * Writes the feature folder {@code dir}, replacing an older one only once the new one is complete: it is built
     * beside {@code dir} and renamed into place, so a reader sees the old folder or the new one, never a mixture.
     */
    public static void write(Path dir, ModelEvalResult result, Tokenizer tokenizer) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path staging = absolute.resolveSibling("." + absolute.getFileName() + ".new");
        Path old = absolute.resolveSibling("." + absolute.getFileName() + ".old");
        deleteTree(staging);
        deleteTree(old);
        AtomicFiles.writeDirectory(staging, d -> writeInto(d, result, tokenizer));
        if (Files.exists(absolute)) {
            Files.move(absolute, old);
        }
        Files.move(staging, absolute);
        deleteTree(old);
    }

    private static void writeInto(Path dir, ModelEvalResult result, Tokenizer tokenizer) throws IOException {
        FeatureData data = result.features();
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("d_sae", data.size());
        index.put("hook_name", result.config().hook().name());
        index.put("tokens", data.tokens());
        ArrayNode rows = index.putArray("features");
        for (int j = 0; j < data.size(); j++) {
            ObjectNode feature = feature(data, j, tokenizer);
            Files.write(dir.resolve(j + ".json"), Json.compactWriter().writeValueAsBytes(feature));
            rows.add(indexRow(data, j, tokenizer));
        }
        // The index last: its presence means every feature file is there.
        byte[] bytes = Json.compactWriter().writeValueAsBytes(index);
        AtomicFiles.write(dir.resolve(INDEX), out -> out.write(bytes));
    }

    /** One row of index.json: enough to sort, filter and search all features without opening their files. */
    static ObjectNode indexRow(FeatureData data, int j, Tokenizer tokenizer) {
        ObjectNode row = Json.mapper().createObjectNode();
        row.put("index", j);
        row.set("density", number(data.density(j)));
        row.set("max_act", number(data.maxActivation(j)));
        row.set("mean_act", number(data.meanActivation(j)));
        row.put("dead", data.firings(j) == 0);
        AblationEffect a = data.ablation(j);
        row.set("delta_loss", a == null ? null : number(a.deltaLossAtFiring()));
        Set<String> topTokens = new LinkedHashSet<>();
        for (Example e : data.topExamples(j)) {
            if (e.filled()) {
                int[] ids = e.tokenIds();
                int i = e.index();
                topTokens.add(TokenText.of(tokenizer, i > 0 ? ids[i - 1] : -1, ids[i]));
            }
        }
        ArrayNode tokens = row.putArray("top_tokens");
        topTokens.stream().limit(5).forEach(tokens::add);
        ArrayNode logits = row.putArray("top_logits");
        Ranked top = data.logitsTop(j);
        for (int i = 0; i < Math.min(3, top.size()); i++) {
            logits.add(TokenText.of(tokenizer, -1, top.ids()[i]));
        }
        return row;
    }

    /** features/&lt;j&gt;.json. */
    static ObjectNode feature(FeatureData data, int j, Tokenizer tokenizer) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("index", j);
        f.set("density", number(data.density(j)));
        f.put("firings", data.firings(j));
        f.set("mean_act", number(data.meanActivation(j)));
        f.set("mean_act_squared", number(data.meanSquaredActivation(j)));
        f.set("max_act", number(data.maxActivation(j)));
        ObjectNode hist = f.putObject("acts_histogram");
        ArrayNode edges = hist.putArray("bin_edges");
        int bins = data.histogramBins();
        for (int b = 0; b <= bins; b++) {
            edges.add(number((double) data.maxActivation(j) * b / bins));
        }
        ArrayNode heights = hist.putArray("bar_heights");
        for (int c : data.histogram(j)) {
            heights.add(c);
        }
        ArrayNode top = f.putArray("top");
        for (Example e : data.topExamples(j)) {
            top.add(sequence(e, tokenizer));
        }
        ArrayNode quantiles = f.putArray("quantiles");
        for (QuantileGroup g : data.quantiles(j)) {
            ObjectNode group = quantiles.addObject();
            group.put("title", String.format(Locale.ROOT, "Interval (%.3g, %.3g]", g.lower(), g.upper()));
            group.set("lower", number(g.lower()));
            group.set("upper", number(g.upper()));
            group.put("count", g.count());
            ArrayNode seq = group.putArray("seq_data");
            for (Example e : g.examples()) {
                seq.add(sequence(e, tokenizer));
            }
        }
        ObjectNode logits = f.putObject("logits");
        ranked(logits, "top_token_ids", "top_tokens", "top_logits", data.logitsTop(j), tokenizer);
        ranked(logits, "bottom_token_ids", "bottom_tokens", "bottom_logits", data.logitsBottom(j), tokenizer);
        AblationEffect a = data.ablation(j);
        if (a == null) {
            f.putNull("ablation");
        } else {
            ObjectNode ab = f.putObject("ablation");
            ab.put("documents", a.documents());
            ab.put("firings", a.firings());
            ab.set("delta_loss", number(a.deltaLossAtFiring()));
            ab.set("delta_loss_top", number(a.deltaLossAtTop()));
            ab.set("kl", number(a.klAtFiring()));
            ab.set("delta_loss_per_firing", number(a.deltaLossPerFiring()));
            ranked(ab, "top_upvote_token_ids", "top_upvote_tokens", "top_upvotes_logprob", a.upvoted(), tokenizer);
            ranked(ab, "top_downvote_token_ids", "top_downvote_tokens", "top_downvotes_logprob", a.downvoted(),
                    tokenizer);
        }
        ObjectNode neighbours = f.putObject("neighbours");
        ArrayNode ids = neighbours.putArray("indices");
        ArrayNode cos = neighbours.putArray("cossim");
        Ranked n = data.neighbours(j);
        for (int i = 0; i < n.size(); i++) {
            ids.add(n.ids()[i]);
            cos.add(number(n.values()[i]));
        }
        return f;
    }

    /** One example as sae-viewer's SequenceInfo (plus its position in the document). */
    static ObjectNode sequence(Example e, Tokenizer tokenizer) {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("doc_id", e.doc());
        s.put("position", e.position());
        s.put("first_position", e.firstPosition());
        s.put("idx", e.index());
        s.set("act", number(e.activation()));
        int[] ids = e.tokenIds();
        ArrayNode tokens = s.putArray("tokens");
        ArrayNode ints = s.putArray("token_ints");
        for (int i = 0; i < ids.length; i++) {
            int prev = i > 0 ? ids[i - 1] : -1;
            tokens.add(TokenText.of(tokenizer, prev, ids[i]));
            ints.add(ids[i]);
        }
        ArrayNode acts = s.putArray("acts");
        for (float a : e.activations()) {
            acts.add(number(a));
        }
        float[] lossDiff = e.lossDiff();
        if (lossDiff != null) {
            ArrayNode d = s.putArray("ablate_loss_diff");
            for (float v : lossDiff) {
                d.add(number(v));
            }
        }
        return s;
    }

    private static void ranked(ObjectNode into, String idsName, String tokensName, String valuesName, Ranked r,
                               Tokenizer tokenizer) {
        ArrayNode ids = into.putArray(idsName);
        ArrayNode tokens = into.putArray(tokensName);
        ArrayNode values = into.putArray(valuesName);
        for (int i = 0; i < r.size(); i++) {
            ids.add(r.ids()[i]);
            tokens.add(TokenText.of(tokenizer, -1, r.ids()[i]));
            values.add(number(r.values()[i]));
        }
    }

    /** {@code v} to {@link #DIGITS} significant digits; null for NaN or infinity (JSON has neither). */
    static JsonNode number(double v) {
        if (!Double.isFinite(v)) {
            return Json.mapper().getNodeFactory().nullNode();
        }
        if (v == 0) {
            return Json.mapper().getNodeFactory().numberNode(0.0);
        }
        double scale = Math.pow(10, DIGITS - 1 - (int) Math.floor(Math.log10(Math.abs(v))));
        return Json.mapper().getNodeFactory().numberNode(Math.round(v * scale) / scale);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
