package org.sae4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report's run page shows, read from the SAE's folder: shown as the files hold it, since a report is a view
 * of them and must not drop a field another tool added.
 *
 * @param title    a name for the report's header (the folder's name)
 * @param cfg      the SAE's configuration as cfg.json (SAELens v6 fields)
 * @param settings run.json, every setting of the training run, or null
 * @param curves   metrics.jsonl as columns: each metric's values in line order (NaN where a line lacks it),
 *                 {@code tokens} first; empty when there is no metrics.jsonl
 * @param eval     the evaluation's sections (eval.json, with the sections of a {@code --eval-data} file added), or null
 * @param notes    how the folder was read, for a person (legacy keys mapped, a truncated metrics line skipped)
 */
public record RunInfo(String title, JsonNode cfg, JsonNode settings, Map<String, double[]> curves, JsonNode eval,
                      List<String> notes) {
    public RunInfo {
        if (cfg == null) {
            throw new IllegalArgumentException("cfg is required");
        }
        curves = new LinkedHashMap<>(curves);
        notes = List.copyOf(notes);
    }
}
