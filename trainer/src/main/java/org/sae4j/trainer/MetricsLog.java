package org.sae4j.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.Json;

/**
 * metrics.jsonl: one JSON object per logged interval, appended and flushed as it happens. A resumed run first cuts
 * the file back to the checkpoint's step, so the file then reads as if the run had never stopped.
 */
final class MetricsLog implements AutoCloseable {
    static final String FILE = "metrics.jsonl";
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /** Opens the log in {@code dir}, keeping only lines whose step is at most {@code keepUpToStep}. */
    static MetricsLog open(Path dir, long keepUpToStep) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    if (!line.isBlank() && Json.mapper().readTree(line).path("step").asLong() <= keepUpToStep) {
                        kept.add(line);
                    }
                } catch (IOException torn) {
                    // A line cut short by a crash is dropped; the run recomputes it.
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    void append(Metrics m) throws IOException {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("step", m.step());
        line.put("tokens", m.tokens());
        line.put("lr", m.lr());
        line.put("l1_coefficient", m.l1Coefficient());
        line.put("loss", m.loss());
        line.put("mse", m.mse());
        line.put("sparsity_loss", m.sparsityLoss());
        line.put("auxk_loss", m.auxKLoss());
        line.put("l0", m.l0());
        line.put("explained_variance", m.explainedVariance());
        line.put("dead_fraction", m.deadFraction());
        line.put("tokens_per_second", m.tokensPerSecond());
        out.write(Json.compactWriter().writeValueAsString(line));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
