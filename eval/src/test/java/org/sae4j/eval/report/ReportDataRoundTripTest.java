package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * The per-feature layout written by ReportJson reads back through EvalData (the adapter for sae4j eval's output)
 * to the same parts, up to the 4 significant digits the layout keeps; malformed entries are bad input naming the file
 * and the feature.
 */
class ReportDataRoundTripTest {
    private static final double FOUR_DIGITS = 5e-4; // relative

    @TempDir
    Path tmp;

    static ReportData tiny() {
        int n = 4;
        Sae sae = Sae.initialize(SaeConfig.of(3, n, new Architecture.TopK(1)), 9);
        FeatureActivity.Example e = new FeatureActivity.Example(7, 1, 2.5, List.of("<s>", " cat", "\n"),
                new float[] {0, 2.5f, 0.123456f});
        FeatureActivity active = new FeatureActivity(12, 1.25, 2.5,
                new FeatureActivity.Histogram(new double[] {0, 1.25, 2.5}, new long[] {5, 7}), List.of(e),
                List.of(new FeatureActivity.QuantileGroup(1.25, 2.5, 5, List.of(e)),
                        new FeatureActivity.QuantileGroup(0, 1.25, 7, List.of())));
        FeatureActivity silent = new FeatureActivity(0, 0, 0, null, List.of(), List.of());
        LogitEffect logit = new LogitEffect(List.of(new TokenValue(" dog", 1.5)), List.of(new TokenValue("x", -0.25)));
        AblationEffect ablation = new AblationEffect(3, 12, 0.0125, Double.NaN, 0.002,
                List.of(new TokenValue(" sat", 0.75)), List.of(new TokenValue(" ran", -0.5)));
        return new ReportData(new RunInfo("tiny", SaeLensFormat.configJson(sae.config()), null, Map.of(), null,
                List.of()), sae.decoderRowNorms(), DecoderNeighbours.of(sae, 2), new double[] {0.25, 0, 1.5e-5, 0.5},
                new FeatureActivity[] {active, silent, active, null},
                new LogitEffect[] {logit, logit, logit, logit},
                new AblationEffect[] {ablation, null, null, ablation}, Map.of("activity", "test"));
    }

    /** Writes d's features as sae4j eval lays them out: eval.json pointing at features/ with index.json. */
    static Path asEvalOutput(ReportData d, Path dir) throws Exception {
        Path features = Files.createDirectories(dir.resolve("features"));
        for (int j = 0; j < d.dSae(); j++) {
            Json.write(features.resolve(j + ".json"), ReportJson.feature(d, j));
        }
        Json.write(features.resolve("index.json"), ReportJson.index(d));
        ObjectNode eval = Json.mapper().createObjectNode();
        eval.putObject("model_performance_preservation").put("ce_loss_score", 0.93);
        eval.putObject("features").put("dir", "features").put("count", d.dSae());
        Path path = dir.resolve("eval.json");
        Json.write(path, eval);
        return path;
    }

    @Test
    void featuresReadBackThroughTheEvalDataAdapter() throws Exception {
        ReportData d = tiny();
        EvalData back = EvalData.read(asEvalOutput(d, tmp), d.dSae());

        assertEquals(4, back.features());
        assertEquals(0.93, back.sections().at("/model_performance_preservation/ce_loss_score").asDouble(), 0,
                "sections kept as they are");
        assertTrue(!back.sections().has("features"), "the pointer to the features is not an evaluation section");
        assertArrayEquals(d.density(), back.density(), 1e-9);
        for (int j = 0; j < 4; j++) {
            FeatureActivity a = d.activity()[j];
            FeatureActivity b = back.activity()[j];
            if (a == null) {
                assertNull(b, "feature " + j + " had no activity");
                continue;
            }
            assertEquals(a.firings(), b.firings());
            assertEquals(a.maxAct(), b.maxAct(), 0);
            assertEquals(a.top().size(), b.top().size());
            for (int t = 0; t < a.top().size(); t++) {
                FeatureActivity.Example x = a.top().get(t);
                FeatureActivity.Example y = b.top().get(t);
                assertEquals(x.tokens(), y.tokens(), "tokens, newline and markup-like text included");
                assertEquals(x.idx(), y.idx());
                assertEquals(x.docId(), y.docId());
                for (int k = 0; k < x.acts().length; k++) {
                    assertEquals(x.acts()[k], y.acts()[k], FOUR_DIGITS * Math.abs(x.acts()[k]), "act " + k);
                }
            }
            assertEquals(a.quantiles().size(), b.quantiles().size());
            for (int g = 0; g < a.quantiles().size(); g++) {
                assertEquals(a.quantiles().get(g).lower(), b.quantiles().get(g).lower(), 0);
                assertEquals(a.quantiles().get(g).count(), b.quantiles().get(g).count());
                assertEquals(a.quantiles().get(g).examples().size(), b.quantiles().get(g).examples().size());
            }
            if (a.histogram() != null) {
                assertArrayEquals(a.histogram().counts(), b.histogram().counts());
            } else {
                assertNull(b.histogram());
            }
            assertEquals(d.logits()[j], back.logits()[j]);
        }
        assertEquals(d.ablation()[0].deltaLoss(), back.ablation()[0].deltaLoss(), 0);
        assertTrue(Double.isNaN(back.ablation()[0].deltaLossTop()), "an unmeasured top-activation delta stays NaN");
        assertEquals(d.ablation()[0].upvoted(), back.ablation()[0].upvoted());
        assertEquals(d.ablation()[0].downvoted(), back.ablation()[0].downvoted());
        assertNull(back.ablation()[1], "feature 1 was not ablated");
    }

    /** A fixture written field by field as sae4j eval --model's FeatureFiles writes it, extra fields included. */
    @Test
    void readsWhatSae4jEvalWrites() throws Exception {
        Path dir = tmp.resolve("eval-model");
        Files.createDirectories(dir.resolve("features"));
        for (String f : List.of("eval.json", "features/index.json", "features/0.json", "features/1.json")) {
            try (var in = getClass().getResourceAsStream("eval-model/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        EvalData e = EvalData.read(dir.resolve("eval.json"), 2);
        assertEquals(0.87, e.sections().at("/model_performance_preservation/ce_loss_score").asDouble(), 0);
        assertArrayEquals(new double[] {0.0125, 0}, e.density(), 0);
        FeatureActivity a = e.activity()[0];
        assertEquals(64, a.firings());
        assertEquals(List.of("<s>", " cat", "\n"), a.top().get(0).tokens());
        assertEquals(0.12346f, a.top().get(0).acts()[2], 0);
        assertArrayEquals(new float[] {0, 0.01f, 0}, a.top().get(0).lossDiff(), 0, "per-token ablation effect");
        assertNull(a.quantiles().get(0).examples().get(0).lossDiff(), "an example without ablate_loss_diff");
        assertArrayEquals(new long[] {30, 34}, a.histogram().counts());
        assertEquals(34, a.quantiles().get(0).count());
        assertEquals(List.of(), a.quantiles().get(1).examples());
        assertEquals(List.of(new TokenValue(" dog", 1.5)), e.logits()[0].positive());
        assertEquals(List.of(new TokenValue(" dog", -1.0)), e.logits()[1].negative());
        AblationEffect ab = e.ablation()[0];
        assertEquals(0.0125, ab.deltaLoss(), 0);
        assertTrue(Double.isNaN(ab.deltaLossTop()), "null in the file is NaN");
        assertEquals(List.of(new TokenValue(" sat", 0.75)), ab.upvoted());
        assertNull(e.ablation()[1]);
        assertTrue(e.activity()[1].top().isEmpty(), "a dead feature has no examples");

        BadInputException other = assertThrows(BadInputException.class, () -> EvalData.read(dir.resolve("eval.json"),
                3));
        assertTrue(other.getMessage().contains("another SAE"), other.getMessage());
    }

    @Test
    void malformedEntriesAreBadInputNamingFileAndFeature() throws Exception {
        ReportData d = tiny();
        Path eval = asEvalOutput(d, tmp);
        Path feature2 = tmp.resolve("features/2.json");
        ObjectNode f = (ObjectNode) Json.readTree(feature2);
        ((ObjectNode) f.at("/top/0")).put("idx", 9);
        Json.write(feature2, f);
        BadInputException idx = assertThrows(BadInputException.class, () -> EvalData.read(eval, 4));
        assertTrue(idx.getMessage().contains("2.json") && idx.getMessage().contains("feature 2")
                && idx.getMessage().contains("idx"), idx.getMessage());

        Json.write(feature2, ReportJson.feature(d, 2));
        ObjectNode ab = (ObjectNode) Json.readTree(tmp.resolve("features/0.json"));
        ((ObjectNode) ab.get("ablation")).put("delta_loss", "big");
        Json.write(tmp.resolve("features/0.json"), ab);
        BadInputException notNumber = assertThrows(BadInputException.class, () -> EvalData.read(eval, 4));
        assertTrue(notNumber.getMessage().contains("delta_loss"), notNumber.getMessage());

        Json.write(tmp.resolve("features/0.json"), ReportJson.feature(d, 0));
        Files.delete(tmp.resolve("features/3.json"));
        BadInputException missing = assertThrows(BadInputException.class, () -> EvalData.read(eval, 4));
        assertTrue(missing.getMessage().contains("3.json"), missing.getMessage());

        Files.writeString(eval, "[1, 2]");
        assertThrows(BadInputException.class, () -> EvalData.read(eval, 4));
    }

    @Test
    void indexAndSummaryDescribeWhatIsThereAndWhatIsNot() {
        ReportData d = tiny();
        JsonNode index = ReportJson.index(d);
        assertEquals(4, index.get("d_sae").asInt());
        JsonNode rows = index.get("features");
        assertTrue(rows.get(1).get("dead").asBoolean() && !rows.get(0).get("dead").asBoolean(), "density 0 is dead");
        assertTrue(rows.get(3).get("max_act").isNull(), "feature 3 has no activity: null, not 0");
        assertTrue(rows.get(1).get("delta_loss").isNull() && rows.get(0).get("delta_loss").isNumber());
        assertEquals(" cat", rows.get(0).get("top_tokens").get(0).asText());
        JsonNode summary = ReportJson.summary(d);
        assertEquals(ReportJson.FORMAT, summary.get("format").asText());
        assertEquals(1, summary.at("/density_histogram/never_fired").asInt());
        List<String> missing = ReportJson.missing(d);
        assertTrue(missing.stream().anyMatch(m -> m.startsWith("training curves"))
                && missing.stream().anyMatch(m -> m.startsWith("evaluation table")) && missing.size() == 2,
                "only the run files are missing: " + missing);
    }

    @Test
    void roundingKeepsFourSignificantDigits() {
        assertEquals(0.1235, ReportJson.round(0.123456), 0);
        assertEquals(1.5e-5, ReportJson.round(1.50004e-5), 0);
        assertEquals(123500.0, ReportJson.round(123456.7), 0);
        assertEquals(-2.5, ReportJson.round(-2.5), 0);
        assertEquals(0.0, ReportJson.round(0), 0);
    }
}
