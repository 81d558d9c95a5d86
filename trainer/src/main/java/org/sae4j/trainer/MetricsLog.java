package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.Json;

/**
 * metrics.jsonl: one JSON object per logged interval, appended as it happens. A resumed run first cuts the file back
 * to the checkpoint's step (dropping a last line a crash cut short), so the file then reads as if the run had never
 * stopped. An append that fails (a full disk) is cut back off, so the file never ends in half a line.
 */
final class MetricsLog implements AutoCloseable {
    static final String FILE = "metrics.jsonl";
    private final Path file;
    private final FileChannel out;

    private MetricsLog(Path file, FileChannel out) {
        this.file = file;
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
        return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
    }

    void append(Metrics m) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((Json.compactWriter().writeValueAsString(toJson(m)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        long before = out.size();
        try {
            while (line.hasRemaining()) {
                out.write(line);
            }
        } catch (IOException e) {
            try {
                out.truncate(before);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof FileSystemException) {
                throw e;
            }
            FileSystemException named = new FileSystemException(file.toString(), null, e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    /** Makes the lines written so far durable (before a checkpoint that resumes after them is published). */
    void sync() throws IOException {
        out.force(false);
    }

    /** One line of the log. */
    static ObjectNode toJson(Metrics m) {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("step", m.step());
        line.put("tokens", m.tokens());
        number(line, "lr", m.lr());
        number(line, "l1_coefficient", m.l1Coefficient());
        number(line, "loss", m.loss());
        number(line, "mse", m.mse());
        number(line, "sparsity_loss", m.sparsityLoss());
        number(line, "auxk_loss", m.auxKLoss());
        number(line, "l0", m.l0());
        number(line, "explained_variance", m.explainedVariance());
        number(line, "dead_fraction", m.deadFraction());
        number(line, "tokens_per_second", m.tokensPerSecond());
        line.put("skipped_rows", m.skippedRows());
        return line;
    }

    /** The metrics of a line written by {@link #toJson}. */
    static Metrics fromJson(JsonNode line) {
        return new Metrics(line.get("step").longValue(), line.get("tokens").longValue(), number(line, "lr"),
                number(line, "l1_coefficient"), number(line, "loss"),
                number(line, "mse"), number(line, "sparsity_loss"),
                number(line, "auxk_loss"), number(line, "l0"),
                number(line, "explained_variance"), number(line, "dead_fraction"),
                number(line, "tokens_per_second"), line.get("skipped_rows").longValue());
    }

    /** Strict JSON has no NaN: an undefined value (explained variance of a constant batch) is written as null. */
    private static void number(ObjectNode line, String key, double v) {
        if (Double.isFinite(v)) {
            line.put(key, v);
        } else {
            line.putNull(key);
        }
    }

    private static double number(JsonNode line, String key) {
        JsonNode v = line.get(key);
        return v.isNull() ? Double.NaN : v.doubleValue();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
