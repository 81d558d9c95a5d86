package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * Dead-latent resampling ({@link Resampler}): what one event writes, that ND4J's Adam reads the moments it zeroes,
 * that it revives latents a strong L1 kills, and that a run with it resumes bitwise.
 */
class ResamplerTest {
    private static final int D_IN = 12;
    private static final int D_SAE = 48;
    private static final int BATCH = 128;

    @TempDir
    Path tmp;

    /**
     * One event on a hand-made SAE: latents 3, 7 and 20 silent for the window are given unit decoder rows along
     * drawn inputs (x − b_dec), encoder columns along the same direction with norm 0.2 × the alive columns' mean,
     * b_enc 0, and zero Adam moments; nothing else changes.
     */
    @Test
    void oneEventRewritesExactlyTheDeadLatents() throws IOException {
        SaeConfig config = SaeConfig.of(D_IN, D_SAE, new Architecture.Standard());
        Sae sae = Sae.initialize(config, 5);
        sae.params().bEnc().addi(0.05);
        sae.params().bDec().addi(0.3);
        TrainConfig train = config(40).withResampling(10, 4, 4, 3 * BATCH);
        AdamOptimizer adam = new AdamOptimizer(train, config.parameterCount());
        adam.state().assign(1f);
        long[] sinceFired = new long[D_SAE];
        int[] deadOnes = {3, 7, 20};
        for (int j : deadOnes) {
            sinceFired[j] = 4L * BATCH;
        }
        sinceFired[9] = 4L * BATCH - 1; // one token short of the window: stays
        float[] before = Nio.get(sae.params().flat());
        float[] aliveNorms = encoderColumnNorms(sae);
        double meanAlive = 0;
        for (int j = 0; j < D_SAE; j++) {
            meanAlive += j == 3 || j == 7 || j == 20 ? 0 : aliveNorms[j];
        }
        meanAlive /= D_SAE - 3;

        SaeWorkspace ws = new SaeWorkspace(sae, BATCH);
        SyntheticSuperposition source = source(3);
        int[] batchesRead = {0};
        Resampler.BatchReader reader = () -> {
            source.next(ws.input(), BATCH);
            batchesRead[0]++;
        };
        Resampler resampler = new Resampler(train);
        assertTrue(resampler.due(10) && resampler.due(40 - 10) && !resampler.due(11) && !resampler.due(0),
                "events at multiples of 10 only");
        int[] revived = resampler.resample(sae, ws, reader, sinceFired, adam.state(), 10);
        assertArrayEquals(deadOnes, revived, "the latents silent for the window");
        assertEquals(3, batchesRead[0], "resample_sample_rows of data, in whole batches");

        float[] after = Nio.get(sae.params().flat());
        float[] wEnc = Nio.get(sae.params().wEnc()); // [dIn, dSae]
        float[] wDec = Nio.get(sae.params().wDec()); // [dSae, dIn]
        float[] bEnc = Nio.get(sae.params().bEnc());
        float[] norms = sae.decoderRowNorms();
        float[] encNorms = encoderColumnNorms(sae);
        for (int j : deadOnes) {
            assertEquals(1.0, norms[j], 1e-5, "unit decoder row " + j);
            assertEquals(0.2 * meanAlive, encNorms[j], 1e-5, "encoder column " + j + " norm");
            assertEquals(0f, bEnc[j], "b_enc[" + j + "]");
            for (int d = 0; d < D_IN; d++) {
                assertEquals(wDec[j * D_IN + d] * encNorms[j], wEnc[d * D_SAE + j], 1e-5,
                        "encoder column " + j + " along its decoder row");
            }
        }
        assertTrue(cosine(wDec, 3, 7) < 0.9999, "different latents get different inputs");
        long wEncAt = Resampler.offset(sae, "W_enc");
        long bEncAt = Resampler.offset(sae, "b_enc");
        long wDecAt = Resampler.offset(sae, "W_dec");
        float[] state = Nio.get(adam.state());
        long n = config.parameterCount();
        int changed = 0;
        for (int i = 0; i < n; i++) {
            boolean resampled = false;
            for (int j : deadOnes) {
                resampled |= i >= wEncAt && i < bEncAt && (i - wEncAt) % D_SAE == j;
                resampled |= i == bEncAt + j;
                resampled |= i >= wDecAt + (long) j * D_IN && i < wDecAt + (long) (j + 1) * D_IN;
            }
            if (resampled) {
                changed++;
                assertEquals(0f, state[i], "Adam m of resampled parameter " + i);
                assertEquals(0f, state[(int) n + i], "Adam v of resampled parameter " + i);
            } else {
                assertEquals(before[i], after[i], "parameter " + i + " of a live latent");
                assertEquals(1f, state[i], "Adam m of untouched parameter " + i);
                assertEquals(1f, state[(int) n + i], "Adam v of untouched parameter " + i);
            }
        }
        assertEquals(3 * (2 * D_IN + 1), changed, "W_enc column, W_dec row and b_enc of each");
    }

    /**
     * The moments the resampler zeroes are the ones ND4J's Adam reads: after one step with a gradient everywhere,
     * zeroing a slice of m and v in the state view and stepping with a zero gradient leaves that slice still (m = 0)
     * while the rest moves on its momentum.
     */
    @Test
    void adamReadsItsMomentsFromTheStateView() {
        long n = 10;
        TrainConfig train = config(10);
        AdamOptimizer adam = new AdamOptimizer(train, n);
        INDArray params = Nd4j.zeros(DataType.FLOAT, 1, n);
        adam.step(params, Nd4j.ones(DataType.FLOAT, 1, n), 0);
        float[] state = Nio.get(adam.state());
        for (int i = 3; i < 6; i++) {
            state[i] = 0f;
            state[(int) n + i] = 0f;
        }
        Nio.put(adam.state(), state);
        float[] before = Nio.get(params);
        adam.step(params, Nd4j.zeros(DataType.FLOAT, 1, n), 1);
        float[] after = Nio.get(params);
        for (int i = 0; i < n; i++) {
            if (i >= 3 && i < 6) {
                assertEquals(before[i], after[i], "parameter " + i + " with zeroed moments does not move");
            } else {
                assertTrue(after[i] < before[i], "parameter " + i + " moves on its momentum");
            }
        }
    }

    /**
     * A strong L1 on a dictionary three times wider than the true features kills latents; resampling every 30 steps
     * gives them inputs the SAE reconstructs worst, and the run ends with fewer latents that never fired in the final
     * window (sparsity.safetensors's count) than the same run without it.
     */
    @Test
    void resamplingRevivesLatentsAStrongL1Kills() throws IOException {
        SaeConfig sae = SaeConfig.of(D_IN, 4 * D_SAE, new Architecture.Standard());
        TrainConfig plain = new TrainConfig(200L * BATCH, BATCH, 1e-2, 0.9, 0.999, 1e-8, 10, 0.2, 8.0, 20, 0, 0,
                10_000_000L, true, 1024, 0, 50, 7);
        TrainConfig resampling = plain.withResampling(30, 15, 4, 4 * BATCH);
        int deadWithout = neverFired(new Trainer(sae, plain, source(4), tmp.resolve("plain"), identity("plain"),
                TrainingListener.NONE).fit(false));
        List<String> notes = new ArrayList<>();
        int deadWith = neverFired(new Trainer(sae, resampling, source(4), tmp.resolve("resampled"),
                identity("resampled"), listener(notes)).fit(false));
        assertTrue(deadWithout >= 20, "the fixture must kill latents: " + deadWithout + " never fired without"
                + " resampling");
        assertTrue(deadWith < deadWithout, "never fired in the final window: " + deadWith + " with resampling, "
                + deadWithout + " without (" + notes + ")");
        assertEquals(4, notes.size(), "four events: " + notes);
    }

    /**
     * Resampling draws from the source and a seeded generator; a run stopped after an event and resumed from the
     * checkpoint before it redoes the event identically and ends bitwise equal to the run never stopped.
     */
    @Test
    void resumedRunWithResamplingEqualsUninterruptedRun() throws IOException {
        SaeConfig sae = SaeConfig.of(D_IN, 4 * D_SAE, new Architecture.Standard());
        // checkpoints every 7 steps, events at 12, 24, 36 (window 6), the stop after 27: the event at 24 is redone.
        TrainConfig train = new TrainConfig(40L * BATCH, BATCH, 1e-2, 0.9, 0.999, 1e-8, 5, 0.2, 8.0, 5, 0, 0,
                6L * BATCH, true, 512, 7, 5, 7).withResampling(12, 6, 3, 2 * BATCH);
        ObjectNode identity = identity("resume");
        List<String> notes = new ArrayList<>();
        Path whole = tmp.resolve("whole");
        new Trainer(sae, train, source(3), whole, identity, listener(notes)).fit(false);
        assertEquals(3, notes.size(), notes.toString());
        assertTrue(notes.stream().anyMatch(s -> !s.startsWith("resampled 0 ")), "some event must resample: " + notes);

        Path broken = tmp.resolve("broken");
        TrainingListener crashing = new TrainingListener() {
            @Override
            public void stepDone(long stepsDone, Metrics latest) {
                if (stepsDone == 27) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class,
                () -> new Trainer(sae, train, source(3), broken, identity, crashing).fit(false));
        new Trainer(sae, train, source(3), broken, identity, TrainingListener.NONE).fit(true);
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.WEIGHTS)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.WEIGHTS)), "sae_weights.safetensors bytes");
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.SPARSITY)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.SPARSITY)), "sparsity.safetensors bytes");
        assertEquals(metricsWithoutThroughput(whole), metricsWithoutThroughput(broken), "metrics.jsonl");
    }

    @Test
    void resamplingIsForStandardSaesOnly() {
        TrainConfig train = config(10).withResampling(5, 0, 4, BATCH);
        BadInputException e = assertThrows(BadInputException.class, () -> new Trainer(
                SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(3)), train, source(1), tmp.resolve("x"),
                identity("x"), TrainingListener.NONE));
        assertTrue(e.getMessage().contains("resample_every_steps") && e.getMessage().contains("AuxK"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(10).withResampling(5, 6, 4, BATCH),
                "a window longer than the interval");
    }

    // ---- helpers ----

    private static TrainConfig config(int steps) {
        return new TrainConfig((long) steps * BATCH, BATCH, 3e-3, 0.9, 0.999, 1e-8, 5, 0.2, 2.0, 10, 0, 0,
                10_000_000L, true, 512, 0, 5, 7);
    }

    private static SyntheticSuperposition source(long seed) {
        return new SyntheticSuperposition(new SyntheticConfig(D_IN, 64, 2.0, 0.5, 0.5, 1.5, 0, 0, 0, 0, seed));
    }

    private static ObjectNode identity(String name) {
        return Json.mapper().createObjectNode().put("run", name);
    }

    private static TrainingListener listener(List<String> notes) {
        return new TrainingListener() {
            @Override
            public void warning(String line) {
                if (line.startsWith("resampled")) {
                    notes.add(line);
                }
            }
        };
    }

    private static int neverFired(TrainResult result) {
        int n = 0;
        for (double f : result.firingFrequency()) {
            n += f == 0 ? 1 : 0;
        }
        return n;
    }

    private static float[] encoderColumnNorms(Sae sae) {
        float[] wEnc = Nio.get(sae.params().wEnc());
        int dSae = sae.config().dSae();
        int dIn = sae.config().dIn();
        float[] norms = new float[dSae];
        for (int j = 0; j < dSae; j++) {
            double s = 0;
            for (int d = 0; d < dIn; d++) {
                s += (double) wEnc[d * dSae + j] * wEnc[d * dSae + j];
            }
            norms[j] = (float) Math.sqrt(s);
        }
        return norms;
    }

    private static double cosine(float[] wDec, int a, int b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < D_IN; d++) {
            dot += wDec[a * D_IN + d] * wDec[b * D_IN + d];
            na += wDec[a * D_IN + d] * wDec[a * D_IN + d];
            nb += wDec[b * D_IN + d] * wDec[b * D_IN + d];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static List<JsonNode> metricsWithoutThroughput(Path run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(line);
            node.remove("tokens_per_second");
            lines.add(node);
        }
        return lines;
    }
}
