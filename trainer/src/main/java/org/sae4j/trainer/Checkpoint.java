package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;

/**
 * The full training state at a step, enough to continue exactly as if never stopped: parameters, Adam's moments,
 * dead-latent counters, firing counts, the step, tokens seen, the data cursor and the input scale, plus the resolved
 * config it was trained under. On disk: {@code checkpoints/step-NNNNNNNNN/} with {@code state.safetensors} and
 * {@code state.json}. A checkpoint is written into a hidden temp folder and renamed into place when complete; the
 * previous one is removed only after that, so a crash at any moment leaves at least one whole checkpoint.
 */
record Checkpoint(
        long step,
        long tokensSeen,
        long sourcePosition,
        double inputScale,
        float[] params,
        float[] adamState,
        long[] tokensSinceFired,
        long[] firingCounts,
        long firingWindowTokens,
        JsonNode config) {

    static final String DIR = "checkpoints";
    private static final String PREFIX = "step-";
    private static final int KEEP = 2;

    /** Writes this checkpoint under {@code runDir} and prunes older ones, keeping the newest {@value #KEEP}. */
    Path save(Path runDir) throws IOException {
        Path root = runDir.resolve(DIR);
        Files.createDirectories(root);
        String name = String.format("%s%09d", PREFIX, step);
        Path temp = root.resolve("." + name + ".tmp");
        deleteTree(temp);
        Files.createDirectories(temp);
        new SafetensorsWriter()
                .put("params", new long[] {params.length}, params)
                .put("adam_state", new long[] {adamState.length}, adamState)
                .putLongs("tokens_since_fired", new long[] {tokensSinceFired.length}, tokensSinceFired)
                .putLongs("firing_counts", new long[] {firingCounts.length}, firingCounts)
                .write(temp.resolve("state.safetensors"));
        ObjectNode state = Json.mapper().createObjectNode();
        state.put("step", step);
        state.put("tokens_seen", tokensSeen);
        state.put("source_position", sourcePosition);
        state.put("input_scale", inputScale);
        state.put("firing_window_tokens", firingWindowTokens);
        state.set("config", config);
        AtomicFiles.writeString(temp.resolve("state.json"), Json.mapper().writeValueAsString(state) + "\n");
        Path target = root.resolve(name);
        deleteTree(target);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - KEEP; i++) {
            deleteTree(all.get(i));
        }
        return target;
    }

    /** The newest complete checkpoint under {@code runDir}, if any. */
    static Optional<Path> latest(Path runDir) throws IOException {
        Path root = runDir.resolve(DIR);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> all = list(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static Checkpoint load(Path dir) throws IOException {
        JsonNode state = Json.readTree(dir.resolve("state.json"));
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("state.safetensors"))) {
            return new Checkpoint(
                    state.path("step").asLong(),
                    state.path("tokens_seen").asLong(),
                    state.path("source_position").asLong(),
                    state.path("input_scale").asDouble(),
                    reader.readFloats("params"),
                    reader.readFloats("adam_state"),
                    reader.readLongs("tokens_since_fired"),
                    reader.readLongs("firing_counts"),
                    state.path("firing_window_tokens").asLong(),
                    state.path("config"));
        } catch (BadInputException e) {
            throw new BadInputException("checkpoint " + dir + " is damaged: " + e.getMessage());
        }
    }

    private static List<Path> list(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
