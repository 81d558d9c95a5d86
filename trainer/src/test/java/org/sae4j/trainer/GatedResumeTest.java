package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.Json;

/**
 * {@link ResumeTest} for a gated SAE: stopped between checkpoints and resumed, it ends bitwise identical to the run
 * never stopped (weights, sparsity, metrics but throughput), and its decoder rows stay at unit norm throughout.
 */
class GatedResumeTest {
    private static final int STEPS = 40;
    private static final int BATCH = 128;

    @TempDir
    Path tmp;

    @Test
    void resumedGatedRunEqualsUninterruptedRun() throws IOException {
        SaeConfig sae = SaeConfig.of(12, 48, new Architecture.Gated());
        TrainConfig train = new TrainConfig((long) STEPS * BATCH, BATCH, 3e-3, 0.9, 0.999, 1e-8, 5, 0.2, 2.0, 10,
                0, 0, 6L * BATCH, false, 512, 7, 5, 7);
        ObjectNode identity = Json.mapper().createObjectNode().put("architecture", "gated");

        Path whole = tmp.resolve("whole");
        TrainResult uninterrupted = new Trainer(sae, train, source(), whole, identity, TrainingListener.NONE)
                .fit(false);
        for (float n : uninterrupted.sae().decoderRowNorms()) {
            assertEquals(1f, n, 1e-5f, "gated decoder rows are kept at unit norm");
        }

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
                () -> new Trainer(sae, train, source(), broken, identity, crashing).fit(false));
        new Trainer(sae, train, source(), broken, identity, TrainingListener.NONE).fit(true);
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.WEIGHTS)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.WEIGHTS)), "sae_weights.safetensors bytes");
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.SPARSITY)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.SPARSITY)), "sparsity.safetensors bytes");
        assertEquals(metrics(whole), metrics(broken), "metrics.jsonl of the resumed run");
    }

    private static SyntheticSuperposition source() {
        return new SyntheticSuperposition(new SyntheticConfig(12, 64, 2.0, 0.5, 0.5, 1.5, 0, 0, 0, 0, 3));
    }

    private static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(line);
            node.remove("tokens_per_second");
            lines.add(node);
        }
        return lines;
    }
}
