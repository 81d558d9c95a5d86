package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sae4j.activations.RowFiles;
import org.sae4j.activations.ShuffledFileSource;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsWriter;

/**
 * The trainer's whole loop, as {@code sae4j train --data} runs it on a file, allocates nothing per step on the heap
 * for the sparse architectures once the JIT has compiled it: reading the batch, the step ({@link StepAllocationTest}),
 * the loss weights (l1 warm-up in progress, which a TopK loss has no term for), the divergence check, the dead-latent
 * and firing bookkeeping and the metrics sums. Counted on the training thread and the kernels' workers between two
 * consecutive steps; the source's prefetch thread, which loads a block of rows at a time, is not counted, and the
 * steps that log or checkpoint are not measured.
 */
class TrainingLoopAllocationTest {
    private static final int D_IN = 64;
    private static final int D_SAE = 512;
    private static final int BATCH = 256;
    private static final int FILE_ROWS = 64_000; // 250 steps per epoch, all in one shuffle block
    private static final int STEPS = 1200;
    private static final int WARM = 400;         // steps left to the JIT before any window counts
    private static final int WINDOW = 100;
    private static final double TOLERANCE = 8;   // bytes per step; a step that allocates anything makes ≥ 16

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"topk", "batchtopk", "matryoshka"})
    void aTrainingStepAllocatesNothing(String name) throws IOException {
        Architecture architecture = switch (name) {
            case "topk" -> new Architecture.TopK(8);
            case "batchtopk" -> new Architecture.BatchTopK(8);
            default -> new Architecture.MatryoshkaBatchTopK(8, List.of(64, 192, D_SAE));
        };
        Path file = tmp.resolve("acts.safetensors");
        float[] rows = new float[FILE_ROWS * D_IN];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) random.nextGaussian();
        }
        new SafetensorsWriter().put("acts", new long[] {FILE_ROWS, D_IN}, rows).write(file);
        // The l1 warm-up (1000 steps) runs through the measured steps; a threshold of 20 steps' tokens makes
        // latents dead, so AuxK runs too. Metrics are logged and a checkpoint written only at the last step.
        TrainConfig train = new TrainConfig((long) STEPS * BATCH, BATCH, 1e-3, 0.9, 0.999, 1e-8, 10, 0.2, 5.0, 1000,
                1.0 / 32, 0, 20L * BATCH, true, 4096, 0, STEPS, 9);
        ObjectNode identity = Json.mapper().createObjectNode().put("architecture", name);
        AllocationPerStep probe = new AllocationPerStep();
        try (ShuffledFileSource source = new ShuffledFileSource(RowFiles.open(file, null), FILE_ROWS, 3)) {
            new Trainer(SaeConfig.of(D_IN, D_SAE, architecture), train, source, tmp.resolve("run"), identity, probe)
                    .fit(false);
        }
        double best = Double.MAX_VALUE;
        // Windows between WARM and the last step: on a loaded machine the JIT may still be compiling (or
        // recompiling) some method during one; a loop that allocates every step never has a clean window.
        for (int from = WARM; from + WINDOW < STEPS; from += WINDOW) {
            best = Math.min(best, (double) (probe.allocated[from + WINDOW] - probe.allocated[from]) / WINDOW);
        }
        assertTrue(best <= TOLERANCE, name + ": " + best + " bytes per step in the quietest window");
    }

    /** Reads the heap allocated so far by the training thread and the kernel workers after every step. */
    private static final class AllocationPerStep implements TrainingListener {
        final long[] allocated = new long[STEPS + 1];
        private long[] threads;

        @Override
        public void stepDone(long stepsDone, Metrics latest) {
            if (threads == null) { // after the first step, which starts the kernel workers
                threads = HeapAllocated.stepThreads();
            }
            allocated[(int) stepsDone] = HeapAllocated.by(threads);
        }
    }
}
