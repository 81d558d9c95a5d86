package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sae4j.cli.BadInputTest.assertBadInput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.eval.report.ReportData;
import org.sae4j.eval.report.ReportJson;
import org.sae4j.formats.Json;

/**
 * {@code sae4j report} through the real entry point: from an SAE folder alone, with the real stories260K model over
 * real text (within the minute the issue allows for 1024 features, then opened in Chromium), and its bad inputs.
 */
class ReportCommandTest {
    /**
     * The bound for a 1024-feature stories260K SAE, checked on the CPU time the report took: on a 2-core
     * machine shared with other jobs the wall-clock time measures the neighbours, and CPU time bounds what the
     * report itself costs (its wall-clock time on a free machine is below it, the parallel parts only help).
     */
    private static final double MAX_SECONDS = 60;

    @TempDir
    static Path shared;
    /** A 1024-latent TopK SAE with d_in 64, the width of stories260K's residual stream, and a full run folder. */
    static Path sae;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainAnSae() {
        sae = shared.resolve("sae");
        Cli train = Cli.run("train", "--d-in", "64", "--n-features", "256", "--mean-active", "4", "--d-sae", "1024",
                "--k", "8", "--total-tokens", "120000", "--batch-size", "1024", "--init-sample-rows", "4096",
                "--log-every-steps", "10", "--eval-tokens", "20000", "--out", sae.toString());
        assertEquals(Main.OK, train.exit(), train.toString());
    }

    @Test
    void fromTheSaeFolderAloneItShowsWhatExistsAndSaysWhatIsMissing() throws Exception {
        Path out = tmp.resolve("report");
        Cli r = Cli.run("report", "--sae", sae.toString(), "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.toString());
        assertTrue(r.out().contains("missing: top-activating examples") && r.out().contains("missing: logit effects")
                && r.out().contains("missing: ablation effects"), "says what is missing\n" + r);
        JsonNode summary = Json.readTree(out.resolve("data/summary.json"));
        assertTrue(summary.at("/curves/loss").size() > 3, "training curves from metrics.jsonl");
        assertTrue(summary.at("/curves/explained_variance").size() > 3);
        assertTrue(summary.at("/eval/reconstruction/explained_variance").isNumber(), "the eval table from eval.json");
        assertEquals(1024, summary.at("/d_sae").asInt());
        assertTrue(summary.at("/sources/density").asText().contains("sparsity.safetensors"));
        JsonNode index = Json.readTree(out.resolve("data/index.json"));
        assertTrue(index.at("/has/density").asBoolean() && !index.at("/has/activity").asBoolean());
        assertEquals(1024, index.get("features").size());
        assertTrue(index.get("features").get(17).get("density").isNumber(), "density from the training window");
        assertTrue(index.get("features").get(17).get("max_act").isNull(), "no activity without a pass over text");
        JsonNode f = Json.readTree(out.resolve("data/features/17.json"));
        assertEquals(10, f.at("/neighbours/indices").size(), "decoder neighbours need only the weights");
        assertFalse(f.has("top"), "no examples");
    }

    @Test
    void withTheRealModelWithinAMinuteAndItOpensInChromium() throws Exception {
        Path model = Path.of(SharedData.file("stories260K.bin"));
        Path out = tmp.resolve("report");
        long t0 = System.nanoTime();
        Duration cpu0 = ProcessHandle.current().info().totalCpuDuration().orElseThrow();
        Cli r = Cli.run("report", "--sae", sae.toString(), "--model", model.toString(), "--tokenizer",
                SharedData.file("tok512.bin"), "--text",
                SharedData.file("tinystories-valid-head.txt"), "--hook", "blocks.2.hook_resid_post",
                "--out", out.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() - cpu0.toNanos())
                / 1e9;
        assertEquals(Main.OK, r.exit(), r.toString());
        System.out.printf(Locale.ROOT, "report of a 1024-feature SAE on stories260K over 65,536 tokens: %.1f s"
                + " (%.1f s of CPU; load average %.1f)%n", seconds, cpu,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertTrue(cpu < MAX_SECONDS, "took " + cpu + " s of CPU (" + seconds + " s)");

        JsonNode rows = Json.readTree(out.resolve("data/index.json")).get("features");
        int withExamples = 0;
        int densest = 0;
        for (int j = 0; j < 1024; j++) {
            withExamples += rows.get(j).get("top_tokens").size() > 0 ? 1 : 0;
            densest = rows.get(j).get("density").asDouble() > rows.get(densest).get("density").asDouble() ? j
                    : densest;
        }
        assertTrue(withExamples > 900, "most features fire somewhere in 65k tokens: " + withExamples);
        JsonNode f = Json.readTree(out.resolve("data/features/" + densest + ".json"));
        assertEquals(20, f.get("top").size(), "20 top examples");
        assertEquals(5, f.get("quantiles").size(), "5 interval groups");
        assertEquals(10, f.at("/logits/top_tokens").size());

        try (Chromium browser = Chromium.launch(tmp.resolve("profile"), 1400, 1000)) {
            browser.navigate(out.resolve("index.html").toUri().toString());
            browser.waitFor("window.sae4jReport && sae4jReport.ready");
            assertEquals("1024 features", browser.eval("document.getElementById('count').textContent").asText());
            browser.eval("location.hash = '#feature/" + densest + "'");
            browser.waitFor("sae4jReport.ready && sae4jReport.view === 'feature' && document.querySelector('.example')");
            int sampled = 0;
            for (JsonNode g : f.get("quantiles")) {
                sampled += g.get("seq_data").size();
            }
            assertTrue(sampled >= 15, "the densest feature has samples in most intervals: " + sampled);
            assertEquals(20 + sampled, browser.eval("document.querySelectorAll('.example').length").asInt(),
                    "top examples and the interval samples");
            assertTrue(browser.eval("document.querySelectorAll('.tok.on[title]').length").asInt() >= 45,
                    "shaded tokens with their values");
            assertEquals(1, browser.eval("document.querySelectorAll('svg.chart').length").asInt(),
                    "the activation histogram");
            browser.screenshot(ReportBrowserTest.SCREENSHOTS.resolve("stories260k-feature.png"), false);
            assertEquals(List.of(), browser.errors, "errors in the page");
            assertEquals(List.of(), browser.networkRequests, "requests leaving the machine");
        }
    }

    @Test
    void theOutputOfEvalWithTheModelBesideTheSaeIsPickedUp() throws Exception {
        Path folder = tmp.resolve("sae");
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(sae)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        // What sae4j eval --model leaves beside the SAE: eval.json pointing at features/, one file per feature.
        ReportData evaluated = SyntheticReport.build(1024, 2, 2, 8, 3);
        Path features = Files.createDirectories(folder.resolve("features"));
        for (int j = 0; j < 1024; j++) {
            Json.write(features.resolve(j + ".json"), ReportJson.feature(evaluated, j));
        }
        Json.write(features.resolve("index.json"), ReportJson.index(evaluated));
        ObjectNode eval = (ObjectNode) Json.readTree(folder.resolve("eval.json"));
        eval.putObject("model_performance_preservation").put("ce_loss_score", 0.875);
        eval.putObject("features").put("dir", "features").put("count", 1024);
        Json.write(folder.resolve("eval.json"), eval);

        Path out = tmp.resolve("report");
        Cli r = Cli.run("report", "--sae", folder.toString(), "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.toString());
        assertFalse(r.out().contains("missing: ablation") || r.out().contains("missing: top-activating"),
                "the eval data fills examples and ablation\n" + r);
        JsonNode summary = Json.readTree(out.resolve("data/summary.json"));
        assertEquals(0.875, summary.at("/eval/model_performance_preservation/ce_loss_score").asDouble(), 0);
        assertTrue(summary.at("/eval/features").isMissingNode(), "the pointer is not shown as an eval section");
        assertTrue(summary.at("/sources/ablation").asText().contains("eval.json"), summary.get("sources").toString());
        JsonNode f = Json.readTree(out.resolve("data/features/5.json"));
        assertEquals(evaluated.ablation()[5].deltaLoss(), f.at("/ablation/delta_loss").asDouble(), 1e-3
                * Math.abs(evaluated.ablation()[5].deltaLoss()));
        assertEquals(2, f.get("top").size());
    }

    @Test
    void badInputLeavesNoReportBehind() throws Exception {
        Path out = tmp.resolve("report");
        assertBadInput(Cli.run("report", "--sae", tmp.resolve("absent").toString(), "--out", out.toString()),
                "absent");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--text", "story.txt", "--out", out.toString()),
                "story.txt");
        Path story = Files.writeString(tmp.resolve("story.txt"), "Once upon a time.");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--text", story.toString(), "--out",
                out.toString()), "--model");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--model", tmp.resolve("m.bin").toString(),
                "--tokenizer", story.toString(), "--out", out.toString()), "m.bin");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--tokens", "many", "--out", out.toString()),
                "--tokens");
        Path features = Files.createDirectories(tmp.resolve("features"));
        Files.writeString(features.resolve("index.json"), "{\"d_sae\": 5000, \"features\": []}");
        Path evalData = Files.writeString(tmp.resolve("other.json"), "{\"features\": {\"dir\": \"features\"}}");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--eval-data", evalData.toString(), "--out",
                out.toString()), "another SAE");
        assertFalse(Files.exists(out), "no report folder after bad input");
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".report")), "no temp folder");
        }

        Path taken = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(taken.resolve("keep.txt"), "mine");
        assertBadInput(Cli.run("report", "--sae", sae.toString(), "--out", taken.toString()), "already exists");
        assertEquals("mine", Files.readString(taken.resolve("keep.txt")), "an existing folder is left alone");
    }
}
