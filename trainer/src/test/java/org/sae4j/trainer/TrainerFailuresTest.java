package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.NonFinite;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * What the trainer does when things go wrong: a diverging run stops before saving anything from the bad step and
 * leaves its last checkpoint intact; NaN rows stop the run naming where, or are skipped, counted and reported, with
 * resume still exact; a damaged newest checkpoint is passed over with a warning and the run still ends bitwise
 * identical to one never interrupted; a stop asked for checkpoints the step in progress and gives its reason.
 */
class TrainerFailuresTest {
    private static final int STEPS = 30;
    private static final int BATCH = 64;
    private static final SaeConfig SAE = SaeConfig.of(12, 48, new Architecture.TopK(3));
    private static final JsonNode IDENTITY = Json.mapper().createObjectNode().put("test", "failures");

    @TempDir
    Path tmp;

    private static TrainConfig train(NonFinite policy) {
        return new TrainConfig((long) STEPS * BATCH, BATCH, 3e-3, 0.9, 0.999, 1e-8, 5, 0.2, 2.0, 10, 1.0 / 32, 6,
                6L * BATCH, true, 256, 7, 5, 7, policy);
    }

    /**
     * Synthetic rows, with row {@code p} changed when {@code p >= from} and {@code p % every == 0}: its column
     * {@code p % dIn} set to {@code value}, or, for a finite value, the whole row multiplied by it.
     */
    private static final class Tampered implements ActivationSource {
        private final SyntheticSuperposition inner =
                new SyntheticSuperposition(new SyntheticConfig(12, 64, 2.0, 0.5, 0.5, 1.5, 0, 0, 0, 0, 3));
        private final long from;
        private final long every;
        private final float value;

        Tampered(long from, long every, float value) {
            this.from = from;
            this.every = every;
            this.value = value;
        }

        @Override
        public int dIn() {
            return inner.dIn();
        }

        @Override
        public void next(float[] dst, int rows) {
            long first = inner.position();
            inner.next(dst, rows);
            int d = dIn();
            for (int r = 0; r < rows; r++) {
                long p = first + r;
                if (p >= from && p % every == 0) {
                    if (Float.isFinite(value)) {
                        for (int c = 0; c < d; c++) {
                            dst[r * d + c] *= value;
                        }
                    } else {
                        dst[r * d + (int) (p % d)] = value;
                    }
                }
            }
        }

        @Override
        public long position() {
            return inner.position();
        }

        @Override
        public void seek(long position) {
            inner.seek(position);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void divergenceStopsBeforeSavingAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path run = tmp.resolve("run");
        long badFrom = 16L * BATCH;     // rows of step 17 on are scaled by 1e25: a finite input, an overflowing loss
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(SAE, train(NonFinite.STOP), new Tampered(badFrom, 1, 1e25f), run, IDENTITY,
                        TrainingListener.NONE).fit(false));
        String m = e.getMessage();
        assertTrue(m.startsWith("training diverged at step 17: the "), m);
        assertTrue(m.contains("the last good checkpoint, checkpoints/step-000000014, is intact"), m);
        assertTrue(m.contains("try a lower --lr (now 0.003)"), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        Checkpoints folder = new Checkpoints(run);
        assertEquals(List.of("step-000000007", "step-000000014"),
                folder.list().stream().map(p -> p.getFileName().toString()).toList(), "nothing after step 14");
        assertEquals(14, Checkpoint.read(folder.latest().orElseThrow()).step(), "the kept checkpoint reads back");
        assertFalse(Files.exists(run.resolve(SaeLensFormat.WEIGHTS)), "no SAE is written from a diverged run");
    }

    @Test
    void nanRowsStopTheRunNamingWhere() {
        Path run = tmp.resolve("run");
        BadInputException e = assertThrows(BadInputException.class,
                () -> new Trainer(SAE, train(NonFinite.STOP), new Tampered(1000, 1000, Float.NaN), run, IDENTITY,
                        TrainingListener.NONE).fit(false));
        assertEquals("row 1000 of the activation stream holds NaN at column 4", e.getMessage());
    }

    @Test
    void skippedNanRowsAreCountedReportedAndResumeExactly() throws IOException {
        TrainConfig skip = train(NonFinite.SKIP);
        Path whole = tmp.resolve("whole");
        List<String> warnings = new ArrayList<>();
        TrainResult r = new Trainer(SAE, skip, new Tampered(0, 37, Float.NaN), whole, IDENTITY,
                warningsInto(warnings)).fit(false);
        // Rows 0, 37, 74, ... are dropped; the run reads STEPS·BATCH good rows plus the dropped ones before them.
        long read = (long) STEPS * BATCH;
        long dropped = 0;
        while ((read + dropped + 36) / 37 > dropped) {
            dropped = (read + dropped + 36) / 37;
        }
        assertEquals(dropped, r.skippedRows(), "rows dropped over the run");
        assertEquals("row 0 of the activation stream holds NaN at column 0", r.firstSkipped());
        assertEquals(1, warnings.size(), "one warning, at the first skipped row: " + warnings);
        assertTrue(warnings.get(0).contains("skipping activation rows that hold NaN or Inf"), warnings.get(0));
        List<JsonNode> lines = metrics(whole);
        assertEquals(dropped, lines.get(lines.size() - 1).get("skipped_rows").asLong(), "metrics.jsonl counts them");

        Path broken = tmp.resolve("broken");
        assertThrows(IllegalStateException.class, () -> new Trainer(SAE, skip, new Tampered(0, 37, Float.NaN),
                broken, IDENTITY, crashAfter(17)).fit(false));
        TrainResult resumed = new Trainer(SAE, skip, new Tampered(0, 37, Float.NaN), broken, IDENTITY,
                TrainingListener.NONE).fit(true);
        assertEquals(r.skippedRows(), resumed.skippedRows(), "the count carries over the resume");
        assertEquals(r.firstSkipped(), resumed.firstSkipped());
        assertSameRun(whole, broken);
    }

    @Test
    void aDamagedNewestCheckpointIsPassedOverAndTheRunStillEndsIdentical() throws IOException {
        Path whole = tmp.resolve("whole");
        new Trainer(SAE, train(NonFinite.STOP), new Tampered(0, Long.MAX_VALUE, 1), whole, IDENTITY,
                TrainingListener.NONE).fit(false);
        Path broken = tmp.resolve("broken");
        assertThrows(IllegalStateException.class, () -> new Trainer(SAE, train(NonFinite.STOP),
                new Tampered(0, Long.MAX_VALUE, 1), broken, IDENTITY, crashAfter(24)).fit(false));
        Path newest = new Checkpoints(broken).latest().orElseThrow();
        assertEquals("step-000000021", newest.getFileName().toString());
        Path tensors = newest.resolve(Checkpoint.TENSORS_FILE);
        byte[] b = Files.readAllBytes(tensors);
        b[b.length / 2] ^= 0x40;   // one flipped bit in the middle of Adam's state
        Files.write(tensors, b);

        List<String> warnings = new ArrayList<>();
        new Trainer(SAE, train(NonFinite.STOP), new Tampered(0, Long.MAX_VALUE, 1), broken, IDENTITY,
                warningsInto(warnings)).fit(true);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("step-000000021 is damaged") && warnings.get(0).contains("checksum")
                && warnings.get(0).endsWith("resuming from step-000000014"), warnings.get(0));
        assertSameRun(whole, broken);
    }

    private static TrainingListener warningsInto(List<String> warnings) {
        return new TrainingListener() {
            @Override
            public void warning(String line) {
                warnings.add(line);
            }
        };
    }

    /**
     * A stop asked for with a reason (the command line's, when another SAE of the same run failed) ends after the
     * step in progress with a checkpoint of it, and the one line that says so gives the reason; the first reason
     * asked for is the one given. The resumed run ends as one never stopped.
     */
    @Test
    void aStopGivesItsReasonCheckpointsTheStepAndResumesExactly() throws IOException {
        Path whole = tmp.resolve("whole");
        new Trainer(SAE, train(NonFinite.STOP), new Tampered(0, Long.MAX_VALUE, 1), whole, IDENTITY,
                TrainingListener.NONE).fit(false);
        Path run = tmp.resolve("run");
        List<String> warnings = new ArrayList<>();
        Trainer[] trainer = new Trainer[1];
        trainer[0] = new Trainer(SAE, train(NonFinite.STOP), new Tampered(0, Long.MAX_VALUE, 1), run, IDENTITY,
                new TrainingListener() {
                    @Override
                    public void stepDone(long stepsDone, Metrics latest) {
                        if (stepsDone == 12) {
                            trainer[0].requestStop("the SAE of blocks.1.hook_resid_post failed");
                            trainer[0].requestStop(); // later: does not replace the first reason
                        }
                    }

                    @Override
                    public void warning(String line) {
                        warnings.add(line);
                    }
                });
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class, () -> trainer[0].fit(false));
        assertEquals("stopped at step 12 of " + STEPS + " when asked to (the SAE of blocks.1.hook_resid_post"
                + " failed); checkpoint checkpoints/step-000000012 holds it; continue with --resume", e.getMessage());
        assertEquals(List.of(e.getMessage()), warnings, "the line is said once, through the listener");
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000000012")), "the step in progress is saved");
        new Trainer(SAE, train(NonFinite.STOP), new Tampered(0, Long.MAX_VALUE, 1), run, IDENTITY,
                TrainingListener.NONE).fit(true);
        assertSameRun(whole, run);
    }

    private static TrainingListener crashAfter(long steps) {
        return new TrainingListener() {
            @Override
            public void stepDone(long stepsDone, Metrics latest) {
                if (stepsDone == steps) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
    }

    private static void assertSameRun(Path a, Path b) throws IOException {
        assertArrayEquals(Files.readAllBytes(a.resolve(SaeLensFormat.WEIGHTS)),
                Files.readAllBytes(b.resolve(SaeLensFormat.WEIGHTS)), "sae_weights.safetensors bytes");
        assertArrayEquals(Files.readAllBytes(a.resolve(SaeLensFormat.SPARSITY)),
                Files.readAllBytes(b.resolve(SaeLensFormat.SPARSITY)), "sparsity.safetensors bytes");
        assertEquals(metrics(a), metrics(b), "metrics.jsonl without throughput");
    }

    private static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(MetricsLog.FILE))) {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(line);
            node.remove("tokens_per_second");
            lines.add(node);
        }
        assertTrue(lines.size() >= STEPS / 5, "a line every 5 steps: " + lines.size());
        return Arrays.asList(lines.toArray(new JsonNode[0]));
    }
}
