package org.sae4j.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * Reads what {@code sae4j train} leaves beside an SAE (run.json, metrics.jsonl, eval.json); each file is optional,
 * so an SAE downloaded on its own still gets a report.
 */
public final class RunFolder {
    public static final String SETTINGS = "run.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String EVAL = "eval.json";

    private RunFolder() {
    }

    /** The run around {@code loaded}; {@code cfg} is the SAE as sae4j read it, whatever its folder's format. */
    public static RunInfo read(LoadedSae loaded) throws IOException {
        Path dir = loaded.dir();
        List<String> notes = new ArrayList<>(loaded.notes());
        JsonNode settings = optional(dir.resolve(SETTINGS));
        JsonNode eval = optional(dir.resolve(EVAL));
        Map<String, double[]> curves = Files.isRegularFile(dir.resolve(METRICS))
                ? curves(dir.resolve(METRICS), notes) : Map.of();
        ObjectNode cfg = SaeLensFormat.configJson(loaded.sae().config(), loaded.weightsDType());
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return new RunInfo(name == null ? dir.toString() : name.toString(), cfg, settings, curves, eval, notes);
    }

    private static JsonNode optional(Path file) {
        return Files.isRegularFile(file) ? Json.readTree(file) : null;
    }

    /**
     * metrics.jsonl as columns. A run killed mid-write can leave its last line cut short: that line is skipped with a
     * note; a malformed line before it is bad input.
     */
    static Map<String, double[]> curves(Path file, List<String> notes) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<JsonNode> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode row = Json.mapper().readTree(lines.get(i));
                if (!row.isObject()) {
                    throw new BadInputException(file + " line " + (i + 1) + ": expected a JSON object");
                }
                rows.add(row);
            } catch (JsonProcessingException e) {
                if (i < lines.size() - 1) {
                    throw new BadInputException(file + " line " + (i + 1) + ": not valid JSON", e);
                }
                notes.add(file.getFileName() + ": last line is incomplete (a run stopped while writing it); skipped");
            }
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        columns.put("tokens", nan(rows.size())); // first, so it is the x axis of every curve
        for (int r = 0; r < rows.size(); r++) {
            for (Iterator<Map.Entry<String, JsonNode>> it = rows.get(r).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNumber()) {
                    columns.computeIfAbsent(e.getKey(), k -> nan(rows.size()))[r] = e.getValue().asDouble();
                }
            }
        }
        return columns;
    }

    private static double[] nan(int n) {
        double[] c = new double[n];
        Arrays.fill(c, Double.NaN);
        return c;
    }
}
