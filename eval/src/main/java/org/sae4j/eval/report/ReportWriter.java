package org.sae4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.sae4j.formats.AtomicFiles;

/**
 * Writes a report folder:
 * <pre>
 * index.html                 the page (opens from file://, no server, no network)
 * assets/report.js, .css     the page's code and style
 * data/summary.json, .js     the run page and what the report holds (ReportJson.summary)
 * data/index.json, .js       every feature's sortable numbers and top tokens, column-wise (ReportJson.index)
 * data/features/N.json, .js  feature N in full (ReportJson.feature), loaded when its page opens
 * </pre>
 * Each {@code .js} file is its {@code .json} twin wrapped as {@code sae4j.receive("key", …);}: a page opened from the
 * file system may load scripts beside it but may not fetch() JSON (Chromium blocks it), while other tools read the
 * {@code .json}. The folder is built beside the target and renamed into place, so it appears whole or not at all.
 */
public final class ReportWriter {
    private static final String RESOURCES = "/org/sae4j/eval/report/";

    private ReportWriter() {
    }

    /** Writes {@code data} as a report at {@code out}, which must not exist or be an empty folder. */
    public static void write(ReportData data, Path out) throws IOException {
        AtomicFiles.writeDirectory(out, dir -> {
            copyResource("index.html", dir.resolve("index.html"));
            Files.createDirectories(dir.resolve("assets"));
            copyResource("report.js", dir.resolve("assets/report.js"));
            copyResource("report.css", dir.resolve("assets/report.css"));
            Path dataDir = Files.createDirectories(dir.resolve("data"));
            writeData(dataDir, "summary", "summary", ReportJson.summary(data));
            writeData(dataDir, "index", "index", ReportJson.index(data));
            Path features = Files.createDirectories(dataDir.resolve("features"));
            try {
                IntStream.range(0, data.dSae()).parallel().forEach(j -> {
                    try {
                        writeData(features, Integer.toString(j), "feature/" + j, ReportJson.feature(data, j));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * {@code name.json} and its script twin {@code name.js}. Plain writes: the files live in a folder nobody sees
     * until the whole of it is renamed into place, so a per-file fsync (thousands of them) would buy nothing.
     */
    private static void writeData(Path dir, String name, String key, JsonNode value) throws IOException {
        String json = ReportJson.compact(value);
        Files.writeString(dir.resolve(name + ".json"), json + "\n", StandardCharsets.UTF_8);
        // Inside a <script>, "</" in a JSON string could end the element; JSON allows "<\/" for it.
        Files.writeString(dir.resolve(name + ".js"), "sae4j.receive(\"" + key + "\", " + json.replace("</", "<\\/")
                + ");\n", StandardCharsets.UTF_8);
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = ReportWriter.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the report asset " + name + " is missing from the jar");
            }
            Files.copy(in, target);
        }
    }
}
