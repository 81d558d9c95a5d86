package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsWriter;

/**
 * A checkpoint reads back exactly what was saved, and anything else (truncated, bit-flipped, edited, swapped, from
 * another run) is refused with a one-line reason; the folder falls back past a damaged newest checkpoint, keeps the
 * newest two, and clears what a crash left half-written.
 */
class CheckpointTest {
    private static final int N_PARAMS = 50;
    private static final int D_SAE = 6;
    private static final Checkpoint.Sizes SIZES = new Checkpoint.Sizes(N_PARAMS, 2 * N_PARAMS, D_SAE);
    private static final long BATCH = 16;

    @TempDir
    Path tmp;

    private static JsonNode config() {
        return Json.mapper().createObjectNode().put("lr", 0.003).put("total_tokens", 3_000_000L);
    }

    private static Checkpoint sample(long step, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] params = new float[N_PARAMS];
        float[] adam = new float[2 * N_PARAMS];
        long[] since = new long[D_SAE];
        long[] firing = new long[D_SAE];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < adam.length; i++) {
            adam[i] = (float) r.nextDouble();
        }
        for (int j = 0; j < D_SAE; j++) {
            since[j] = r.nextInt(1000);
            firing[j] = r.nextInt(1000);
        }
        MetricsWindow w = new MetricsWindow();
        ObjectNode window = w.toJson().put("steps", 3).put("loss", 1.0 / 3).put("l0_sum", 123.5);
        Metrics last = new Metrics(step, step * BATCH, 1e-3, 0, 0.5, 0.25, 0, 0.125, 7.5, Double.NaN, 0.1, 9e4, 2);
        return new Checkpoint(step, step * BATCH, step * BATCH + 3, 0.75, params, adam, since, firing, 64, 2,
                "acts.npy: row 9 holds NaN at column 1", window, last, config());
    }

    private Path saved(Checkpoint c) throws IOException {
        return new Checkpoints(tmp).save(c);
    }

    @Test
    void readsBackExactlyWhatWasSaved() throws IOException {
        Checkpoint c = sample(20, 1);
        Checkpoint back = Checkpoint.read(saved(c));
        assertEquals(c.step(), back.step());
        assertEquals(c.tokensSeen(), back.tokensSeen());
        assertEquals(c.sourcePosition(), back.sourcePosition());
        assertEquals(c.inputScale(), back.inputScale());
        assertArrayEquals(c.params(), back.params());
        assertArrayEquals(c.adamState(), back.adamState());
        assertArrayEquals(c.tokensSinceFired(), back.tokensSinceFired());
        assertArrayEquals(c.firingCounts(), back.firingCounts());
        assertEquals(c.firingWindowTokens(), back.firingWindowTokens());
        assertEquals(c.skippedRows(), back.skippedRows());
        assertEquals(c.firstSkipped(), back.firstSkipped());
        assertTrue(Checkpoint.sameJson(c.window(), back.window()), "metrics interval sums, doubles exact");
        assertEquals(c.lastMetrics(), back.lastMetrics(), "last metrics, NaN explained variance included");
        assertTrue(Checkpoint.sameJson(c.config(), back.config()));
        back.requireFits(config(), SIZES, BATCH, tmp);
    }

    /** A damaged copy of a good checkpoint must be refused, the message saying {@code phrase} in one line. */
    private void assertDamaged(String phrase, Consumer<Path> damage) throws IOException {
        Path dir = saved(sample(20, 2));
        damage.accept(dir);
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.read(dir));
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "': " + e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.toString()), "names the checkpoint: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        AtomicFiles.deleteTree(dir);
    }

    @Test
    void truncatedTensorsAreRefused() throws IOException {
        assertDamaged("truncated", dir -> rewrite(dir.resolve(Checkpoint.TENSORS_FILE),
                b -> Arrays.copyOf(b, b.length - 100)));
        assertDamaged("too short", dir -> rewrite(dir.resolve(Checkpoint.TENSORS_FILE), b -> new byte[5]));
    }

    @Test
    void aFlippedBitInAnyTensorFailsItsChecksum() throws IOException {
        // The data follows the header; flip one bit in the params (first tensor) and one in firing_counts (last).
        assertDamaged("tensor params fails its checksum", dir -> rewrite(dir.resolve(Checkpoint.TENSORS_FILE), b -> {
            b[dataStart(b) + 17] ^= 0x10;
            return b;
        }));
        assertDamaged("tensor firing_counts fails its checksum",
                dir -> rewrite(dir.resolve(Checkpoint.TENSORS_FILE), b -> {
                    b[b.length - 3] ^= 0x01;
                    return b;
                }));
    }

    @Test
    void anEditedOrTornStateJsonIsRefused() throws IOException {
        assertDamaged("fails its checksum", dir -> rewrite(dir.resolve(Checkpoint.STATE_FILE),
                b -> new String(b, StandardCharsets.UTF_8).replace("\"step\" : 20", "\"step\" : 21")
                        .getBytes(StandardCharsets.UTF_8)));
        assertDamaged("not valid JSON", dir -> rewrite(dir.resolve(Checkpoint.STATE_FILE),
                b -> Arrays.copyOf(b, b.length / 2)));
        assertDamaged("no such file", dir -> delete(dir.resolve(Checkpoint.STATE_FILE)));
        assertDamaged("no such file", dir -> delete(dir.resolve(Checkpoint.TENSORS_FILE)));
        assertDamaged("not a version 2 sae4j checkpoint", dir -> rewrite(dir.resolve(Checkpoint.STATE_FILE),
                b -> "{\"step\": 20, \"tokens_seen\": 320}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tensorsFromAnotherCheckpointAreRefused() throws IOException {
        Path other = saved(sample(30, 9));
        assertDamaged("tensor params fails its checksum", dir -> copy(other.resolve(Checkpoint.TENSORS_FILE),
                dir.resolve(Checkpoint.TENSORS_FILE)));
        assertDamaged("holds tensors", dir -> writeTensors(dir, w -> w.put("params", new long[] {N_PARAMS},
                new float[N_PARAMS])));
        assertDamaged("tensor params is F32[49]", dir -> writeTensors(dir, w -> w
                .put("params", new long[] {N_PARAMS - 1}, new float[N_PARAMS - 1])
                .put("adam_state", new long[] {2 * N_PARAMS}, new float[2 * N_PARAMS])
                .putLongs("tokens_since_fired", new long[] {D_SAE}, new long[D_SAE])
                .putLongs("firing_counts", new long[] {D_SAE}, new long[D_SAE])));
    }

    @Test
    void nonFiniteParametersAreNeverResumedFrom() throws IOException {
        Checkpoint c = sample(20, 3);
        c.params()[7] = Float.NaN;
        Path dir = saved(c);
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.read(dir));
        assertTrue(e.getMessage().contains("parameter 7 is NaN"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherRunIsRefusedNotFallenBackFrom() throws IOException {
        saved(sample(10, 4));
        JsonNode other = ((ObjectNode) config()).put("lr", 0.01);
        BadInputException e = assertThrows(BadInputException.class,
                () -> new Checkpoints(tmp).restore(other, SIZES, BATCH, line -> { }));
        assertTrue(e.getMessage().contains("trained with another configuration (lr was 0.003, now 0.01)"),
                e.getMessage());
        Checkpoint read = Checkpoint.read(new Checkpoints(tmp).latest().orElseThrow());
        BadInputException size = assertThrows(BadInputException.class,
                () -> read.requireFits(config(), new Checkpoint.Sizes(N_PARAMS + 1, 2 * N_PARAMS + 2, D_SAE), BATCH,
                        tmp));
        assertTrue(size.getMessage().contains("do not fit this SAE"), size.getMessage());
        assertTrue(Files.isDirectory(tmp.resolve("checkpoints/step-000000010")), "nothing is moved aside");
    }

    @Test
    void aDamagedNewestCheckpointFallsBackToThePreviousWithAWarning() throws IOException {
        Checkpoints folder = new Checkpoints(tmp);
        folder.save(sample(10, 5));
        Path newest = folder.save(sample(20, 6));
        rewrite(newest.resolve(Checkpoint.TENSORS_FILE), b -> Arrays.copyOf(b, b.length - 1));
        List<String> warnings = new ArrayList<>();
        Optional<Checkpoint> c = folder.restore(config(), SIZES, BATCH, warnings::add);
        assertEquals(10, c.orElseThrow().step(), "resumed from the one before");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("warning: checkpoint step-000000020 is damaged (")
                && warnings.get(0).endsWith("moved to damaged-step-000000020, resuming from step-000000010"),
                warnings.get(0));
        assertTrue(Files.isDirectory(tmp.resolve("checkpoints/damaged-step-000000020")), "kept for inspection");
        assertEquals(List.of(tmp.resolve("checkpoints/step-000000010")), folder.list());
        folder.save(sample(20, 6));
        assertEquals(20, Checkpoint.read(folder.latest().orElseThrow()).step(), "the step is written again");
    }

    @Test
    void whenEveryCheckpointIsDamagedTheErrorSaysWhy() throws IOException {
        Checkpoints folder = new Checkpoints(tmp);
        delete(folder.save(sample(10, 7)).resolve(Checkpoint.STATE_FILE));
        rewrite(folder.save(sample(20, 8)).resolve(Checkpoint.TENSORS_FILE), b -> new byte[0]);
        BadInputException e = assertThrows(BadInputException.class,
                () -> folder.restore(config(), SIZES, BATCH, line -> { }));
        assertTrue(e.getMessage().startsWith("no usable checkpoint in ") && e.getMessage().contains("step-000000010")
                && e.getMessage().contains("step-000000020"), e.getMessage());
        assertTrue(new Checkpoints(tmp.resolve("empty")).restore(config(), SIZES, BATCH, line -> { }).isEmpty(),
                "no checkpoint at all is a fresh start, not an error");
    }

    @Test
    void keepsTheNewestTwoAndClearsWhatACrashLeftHalfWritten() throws IOException {
        Checkpoints folder = new Checkpoints(tmp);
        for (long step = 5; step <= 25; step += 5) {
            folder.save(sample(step, step));
        }
        assertEquals(List.of("step-000000020", "step-000000025"),
                folder.list().stream().map(p -> p.getFileName().toString()).toList());
        Path halfWritten = Files.createDirectories(folder.root().resolve(".step-000000030.tmp-12345"));
        Files.write(halfWritten.resolve(Checkpoint.TENSORS_FILE), new byte[] {1, 2, 3});
        Path halfDeleted = Files.createDirectories(folder.root().resolve(".step-000000015.tmp-discarded"));
        Files.write(halfDeleted.resolve(Checkpoint.TENSORS_FILE), new byte[] {4});
        folder.clearStale();
        try (var entries = Files.list(folder.root())) {
            assertEquals(2, entries.count(), "only the two complete checkpoints remain");
        }
    }

    // ---- helpers ----

    private static int dataStart(byte[] safetensors) {
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (safetensors[i] & 0xff);
        }
        return (int) (8 + n);
    }

    private interface Bytes {
        byte[] apply(byte[] b);
    }

    private static void rewrite(Path file, Bytes change) {
        try {
            Files.write(file, change.apply(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Tensors {
        SafetensorsWriter fill(SafetensorsWriter w);
    }

    private static void writeTensors(Path dir, Tensors t) {
        try {
            t.fill(new SafetensorsWriter()).write(dir.resolve(Checkpoint.TENSORS_FILE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
