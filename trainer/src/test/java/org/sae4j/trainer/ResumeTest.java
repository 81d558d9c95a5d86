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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.Json;

/**
 * A run stopped after a checkpoint and resumed with {@code fit(true)} ends bitwise identical to the same run never
 * stopped: the saved weights and sparsity files are byte-equal, and every metrics line except the wall-clock
 * throughput is equal. The stop falls between checkpoints, so the resumed run redoes steps the first one had done;
 * checkpoints (every 7 steps) fall inside metrics intervals (every 5), so the interval sums are restored state too.
 * The dead-token threshold is short, so dead-latent counters and AuxK are part of the restored state. The child-JVM
 * kill -9 version of this is the cli module's KillResumeTest.
 */
class ResumeTest {
    private static final int STEPS = 40;
    private static final int BATCH = 128;
    private static final int STOP_AFTER = 27; // between the checkpoints at 21 and 28

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"topk", "standard", "jumprelu", "batchtopk", "matryoshka"})
    void resumedRunEqualsUninterruptedRun(String architecture) throws IOException {
        Architecture arch = switch (architecture) {
            case "topk" -> new Architecture.TopK(3);
            case "jumprelu" -> new Architecture.JumpReLU(); // θ is a parameter: in the checkpoint with Adam's state
            case "batchtopk" -> new Architecture.BatchTopK(3); // the running threshold rides in the parameters
            case "matryoshka" -> new Architecture.MatryoshkaBatchTopK(3, java.util.List.of(8, 48));
            default -> new Architecture.Standard();
        };
        SaeConfig sae = SaeConfig.of(12, 48, arch);
        TrainConfig train = new TrainConfig((long) STEPS * BATCH, BATCH, 3e-3, 0.9, 0.999, 1e-8, 5, 0.2, 2.0, 10,
                1.0 / 32, 6, 6L * BATCH, true, 512, 7, 5, 7);
        ObjectNode identity = Json.mapper().createObjectNode().put("architecture", architecture);

        Path whole = tmp.resolve("whole");
        new Trainer(sae, train, source(), whole, identity, TrainingListener.NONE).fit(false);

        Path broken = tmp.resolve("broken");
        TrainingListener crashing = new TrainingListener() {
            @Override
            public void stepDone(long stepsDone, Metrics latest) {
                if (stepsDone == STOP_AFTER) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class,
                () -> new Trainer(sae, train, source(), broken, identity, crashing).fit(false));
        assertTrue(Files.isDirectory(broken.resolve(Checkpoints.DIR).resolve("step-000000021")),
                "the crash left the step-21 checkpoint");
        TrainResult resumed = new Trainer(sae, train, source(), broken, identity, TrainingListener.NONE).fit(true);

        assertEquals(STEPS, resumed.steps(), "steps after resume");
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.WEIGHTS)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.WEIGHTS)), "sae_weights.safetensors bytes");
        assertArrayEquals(Files.readAllBytes(whole.resolve(SaeLensFormat.SPARSITY)),
                Files.readAllBytes(broken.resolve(SaeLensFormat.SPARSITY)), "sparsity.safetensors bytes");
        List<JsonNode> a = metricsWithoutThroughput(whole);
        List<JsonNode> b = metricsWithoutThroughput(broken);
        assertEquals(STEPS / train.logEverySteps(), a.size(), "metrics lines of the whole run");
        assertEquals(a, b, "metrics.jsonl of the resumed run");
    }

    private static SyntheticSuperposition source() {
        return new SyntheticSuperposition(new SyntheticConfig(12, 64, 2.0, 0.5, 0.5, 1.5, 0, 0, 0, 0, 3));
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
