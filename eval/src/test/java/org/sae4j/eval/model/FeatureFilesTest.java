package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.Json;

/** The per-feature files and eval.json: what is in them, and that a folder is replaced only when complete. */
class FeatureFilesTest {
    @TempDir
    Path tmp;

    @Test
    void indexAndFeatureFilesHoldTheFeatureData() throws IOException {
        Evaluated e = Evaluated.topK();
        FeatureData data = e.result.features();
        Path dir = tmp.resolve("features");
        FeatureFiles.write(dir, e.result, e.tokenizer);

        JsonNode index = Json.readTree(dir.resolve(FeatureFiles.INDEX));
        assertEquals(data.size(), index.get("d_sae").asInt());
        assertEquals(data.size(), index.get("features").size());
        assertEquals("blocks.0.hook_resid_post", index.get("hook_name").asText());
        for (int j = 0; j < data.size(); j++) {
            JsonNode row = index.get("features").get(j);
            assertEquals(j, row.get("index").asInt());
            assertEquals(data.density(j), row.get("density").asDouble(), 1e-4 * data.density(j) + 1e-12);
            assertEquals(data.firings(j) == 0, row.get("dead").asBoolean());
            assertEquals(data.ablation(j) != null, !row.get("delta_loss").isNull(), "delta_loss of " + j);

            JsonNode f = Json.readTree(dir.resolve(j + ".json"));
            assertEquals(data.firings(j), f.get("firings").asLong());
            assertEquals(data.maxActivation(j), f.get("max_act").asDouble(), 1e-4 * data.maxActivation(j));
            assertEquals(data.histogramBins(), f.get("acts_histogram").get("bar_heights").size());
            assertEquals(data.histogramBins() + 1, f.get("acts_histogram").get("bin_edges").size());
            List<Example> top = data.topExamples(j);
            assertEquals(top.size(), f.get("top").size());
            for (int i = 0; i < top.size(); i++) {
                JsonNode seq = f.get("top").get(i);
                Example ex = top.get(i);
                int[] ids = ex.tokenIds();
                assertEquals(ids.length, seq.get("tokens").size());
                assertEquals(ids.length, seq.get("acts").size());
                for (int t = 0; t < ids.length; t++) {
                    assertEquals(ids[t], seq.get("token_ints").get(t).asInt());
                }
                assertEquals(ex.index(), seq.get("idx").asInt());
                assertEquals(ex.doc(), seq.get("doc_id").asInt());
                assertEquals(data.ablation(j) != null, seq.has("ablate_loss_diff"));
            }
            assertEquals(data.quantiles(j).size(), f.get("quantiles").size());
            assertEquals(data.logitsTop(j).ids()[0], f.get("logits").get("top_token_ids").get(0).asInt());
            assertEquals(e.config.logitTokens(), f.get("logits").get("bottom_tokens").size());
            assertEquals(data.ablation(j) == null, f.get("ablation").isNull());
            assertEquals(data.neighbours(j).ids()[0], f.get("neighbours").get("indices").get(0).asInt());
        }
        // The text of a token in an example is what decoding that token produces.
        Example ex = data.topExamples(0).isEmpty() ? data.topExamples(1).get(0) : data.topExamples(0).get(0);
        JsonNode seq = Json.readTree(dir.resolve(ex.feature() + ".json")).get("top").get(0);
        int[] ids = ex.tokenIds();
        int last = ids.length - 1;
        assertEquals(e.tokenizer.decode(new int[] {ids[last - 1], ids[last]}).substring(
                e.tokenizer.decode(new int[] {ids[last - 1]}).length()), seq.get("tokens").get(last).asText());
    }

    @Test
    void rewritingReplacesTheFolderAndLeavesNothingBeside() throws IOException {
        Evaluated e = Evaluated.topK();
        Path dir = tmp.resolve("features");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stale.json"), "{}");
        FeatureFiles.write(dir, e.result, e.tokenizer);
        assertFalse(Files.exists(dir.resolve("stale.json")), "the old folder's files are gone");
        assertTrue(Files.exists(dir.resolve(FeatureFiles.INDEX)));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of(dir), siblings.toList(), "no staging or backup folder left beside it");
        }
    }

    @Test
    void evalJsonHasTheSaeBenchFields() {
        Evaluated e = Evaluated.standard();
        JsonNode json = e.result.toJson();
        SplicedLoss loss = e.result.loss();
        JsonNode perf = json.get("model_performance_preservation");
        assertEquals(loss.ceLossScore(), perf.get("ce_loss_score").asDouble(), 0);
        assertEquals(loss.ceLossWithoutSae(), perf.get("ce_loss_without_sae").asDouble(), 0);
        assertEquals(loss.ceLossWithSaePlusError(), perf.get("ce_loss_with_sae_plus_error").asDouble(), 0);
        JsonNode behaviour = json.get("model_behavior_preservation");
        assertEquals(loss.klDivScore(), behaviour.get("kl_div_score").asDouble(), 0);
        assertEquals(loss.klDivWithAblation(), behaviour.get("kl_div_with_ablation").asDouble(), 0);
        assertEquals(e.result.base().reconstruction().explainedVariance(),
                json.get("reconstruction").get("explained_variance").asDouble(), 0);
        assertEquals(e.config.ablatedFeatures(), json.get("features").get("ablated").size());
        assertEquals("blocks.1.hook_mlp_out", json.get("eval_config").get("hook_name").asText());
    }
}
