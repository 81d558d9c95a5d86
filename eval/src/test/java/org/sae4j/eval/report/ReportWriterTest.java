package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.Json;

class ReportWriterTest {
    private static final Pattern SCRIPT = Pattern.compile("sae4j\\.receive\\(\"([^\"]+)\", (.*)\\);\n",
            Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void everyJsonFileHasAScriptTwinWithTheSameData() throws Exception {
        ReportData d = ReportDataRoundTripTest.tiny();
        Path out = tmp.resolve("report");
        ReportWriter.write(d, out);
        for (String f : List.of("index.html", "assets/report.js", "assets/report.css")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "missing " + f);
        }
        twins(out.resolve("data"), "summary", "summary");
        twins(out.resolve("data"), "index", "index");
        for (int j = 0; j < d.dSae(); j++) {
            JsonNode f = twins(out.resolve("data/features"), Integer.toString(j), "feature/" + j);
            assertEquals(j, f.get("index").asInt());
        }
        try (Stream<Path> files = Files.list(out.resolve("data/features"))) {
            assertEquals(2L * d.dSae(), files.count(), "one .json and one .js per feature, nothing else");
        }
    }

    @Test
    void thePageNeedsNothingFromTheNetwork() throws Exception {
        Path out = tmp.resolve("report");
        ReportWriter.write(ReportDataRoundTripTest.tiny(), out);
        for (String f : List.of("index.html", "assets/report.js", "assets/report.css")) {
            // The one URL allowed is the SVG namespace, a name rather than an address that is fetched.
            String text = Files.readString(out.resolve(f)).replace("http://www.w3.org/2000/svg", "");
            assertFalse(text.contains("http:") || text.contains("https:") || text.contains("//cdn"),
                    f + " refers to the network");
        }
    }

    @Test
    void markupInATokenCannotEndTheScriptElement() throws Exception {
        ReportData d = ReportDataRoundTripTest.tiny();
        FeatureActivity.Example e = new FeatureActivity.Example(0, 0, 1, List.of("</script><b>"), new float[] {1});
        FeatureActivity[] activity = d.activity().clone();
        activity[0] = new FeatureActivity(1, 1, 1, null, List.of(e), List.of());
        ReportData withMarkup = new ReportData(d.run(), d.decoderNorm(), d.neighbours(), d.density(), activity,
                d.logits(), d.ablation(), d.sources());
        Path out = tmp.resolve("report");
        ReportWriter.write(withMarkup, out);
        String script = Files.readString(out.resolve("data/features/0.js"));
        assertFalse(script.contains("</script>"), script);
        assertEquals("</script><b>", twins(out.resolve("data/features"), "0", "feature/0").at("/top/0/tokens/0")
                .asText(), "the text itself is unchanged");
    }

    @Test
    void anExistingFolderIsNeverWrittenInto() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("report"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThrows(FileAlreadyExistsException.class, () -> ReportWriter.write(ReportDataRoundTripTest.tiny(), out));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("notes.txt")), files.toList(), "the folder is untouched");
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(out), files.toList(), "no temp folder left beside it");
        }
    }

    /** Reads name.json and name.js, checks the script calls sae4j.receive(key, the same JSON), returns it. */
    private static JsonNode twins(Path dir, String name, String key) throws Exception {
        JsonNode json = Json.readTree(dir.resolve(name + ".json"));
        Matcher m = SCRIPT.matcher(Files.readString(dir.resolve(name + ".js")));
        assertTrue(m.matches(), name + ".js is one sae4j.receive call");
        assertEquals(key, m.group(1));
        assertEquals(json, Json.mapper().readTree(m.group(2)), name + ".js carries the same data as " + name
                + ".json");
        return json;
    }
}
