package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
                List.of(new FeatureActivity.QuantileGroup(1.3, 2.5, 0.5, List.of(e)),
                        new FeatureActivity.QuantileGroup(0.1, 1.2, 0.5, List.of())));
        FeatureActivity silent = new FeatureActivity(0, 0, 0, null, List.of(), List.of());
        LogitEffect logit = new LogitEffect(List.of(new TokenValue(" dog", 1.5)), List.of(new TokenValue("x", -0.25)));
        AblationEffect ablation = new AblationEffect(0.0125, Double.NaN, 12, List.of(new TokenValue(" ran", -0.5)),
                List.of(new TokenValue(" sat", 0.75)));
        return new ReportData(new RunInfo("tiny", SaeLensFormat.configJson(sae.config()), null, Map.of(), null,
                List.of()), sae.decoderRowNorms(), DecoderNeighbours.of(sae, 2), new double[] {0.25, 0, 1.5e-5, 0.5},
                new FeatureActivity[] {active, silent, active, null},
                new LogitEffect[] {logit, logit, logit, logit},
                new AblationEffect[] {ablation, null, null, ablation}, Map.of("activity", "test"));
    }

    @Test
    void featuresReadBackThroughTheEvalDataAdapter() throws Exception {
        ReportData d = tiny();
        ObjectNode file = Json.mapper().createObjectNode();
        file.putObject("spliced_loss").put("ce_loss_score", 0.93);
        ArrayNode features = file.putArray("features");
        for (int j = 0; j < d.dSae(); j++) {
            features.add(ReportJson.feature(d, j));
        }
        Path path = tmp.resolve("eval.json");
        Json.write(path, file);
        EvalData back = EvalData.read(path, d.dSae());

        assertEquals(4, back.features());
        assertEquals(0.93, back.sections().at("/spliced_loss/ce_loss_score").asDouble(), 0, "sections kept as is");
        assertTrue(!back.sections().has("features"), "the features are not an evaluation section");
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
                assertEquals(a.quantiles().get(g).lo(), b.quantiles().get(g).lo(), 0);
                assertEquals(a.quantiles().get(g).examples().size(), b.quantiles().get(g).examples().size());
            }
            if (a.histogram() != null) {
                assertArrayEquals(a.histogram().counts(), b.histogram().counts());
            } else {
                assertNull(b.histogram());
            }
            assertEquals(d.logits()[j], back.logits()[j]);
        }
        assertEquals(d.ablation()[0].meanLossDelta(), back.ablation()[0].meanLossDelta(), 0);
        assertTrue(Double.isNaN(back.ablation()[0].topLossDelta()), "an unmeasured top-activation delta stays NaN");
        assertEquals(d.ablation()[0].down(), back.ablation()[0].down());
        assertNull(back.ablation()[1], "feature 1 was not ablated");
    }

    @Test
    void malformedEntriesAreBadInputNamingFileAndFeature() throws Exception {
        Path path = tmp.resolve("bad.json");
        Files.writeString(path, "{\"features\": [{\"feature\": 9}]}");
        BadInputException outside = assertThrows(BadInputException.class, () -> EvalData.read(path, 4));
        assertTrue(outside.getMessage().contains("bad.json") && outside.getMessage().contains("feature 9"),
                outside.getMessage());

        Files.writeString(path, "{\"features\": [{\"feature\": 2, \"top\": [{\"idx\": 5, \"act\": 1,"
                + " \"tokens\": [\"a\"], \"acts\": [1]}]}]}");
        BadInputException idx = assertThrows(BadInputException.class, () -> EvalData.read(path, 4));
        assertTrue(idx.getMessage().contains("feature 2") && idx.getMessage().contains("idx"), idx.getMessage());

        Files.writeString(path, "{\"features\": [{\"feature\": 1, \"ablation\": {\"tokens\": 3}}]}");
        BadInputException ablation = assertThrows(BadInputException.class, () -> EvalData.read(path, 4));
        assertTrue(ablation.getMessage().contains("mean_loss_delta"), ablation.getMessage());

        Files.writeString(path, "[1, 2]");
        assertThrows(BadInputException.class, () -> EvalData.read(path, 4));
    }

    @Test
    void indexAndSummaryDescribeWhatIsThereAndWhatIsNot() {
        ReportData d = tiny();
        JsonNode index = ReportJson.index(d);
        assertEquals(4, index.get("d_sae").asInt());
        assertEquals(0.0, index.get("density").get(1).asDouble(), 0, "a dead feature's density is 0");
        assertTrue(index.get("max_act").get(3).isNull(), "feature 3 has no activity: null, not 0");
        assertTrue(index.get("ablation").get(1).isNull() && index.get("ablation").get(0).isNumber());
        assertEquals(List.of(" cat"), List.of(index.get("top_tokens").get(0).get(0).asText()));
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
