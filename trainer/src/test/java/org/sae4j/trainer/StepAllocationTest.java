package org.sae4j.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.JumpReLULoss;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.TrainingLoss;

/**
 * A training step of the sparse architectures (forward, backward with AuxK and the decoder-gradient projection,
 * ND4J's Adam, the decoder-norm constraint) allocates nothing on the heap, on the calling thread or the kernels'
 * workers, when the caller hands the backward its own loss record. Before the kernels ran as reused jobs, the GEMM as
 * a bound OpenBLAS call and Adam through its native context, a TopK step allocated ~8.6 KB; until the loss record
 * became the caller's, 48 bytes. {@link TrainingLoopAllocationTest} covers the trainer's whole loop.
 */
class StepAllocationTest {
    private static final double TOLERANCE = 8; // bytes per step; a step that allocates anything at all makes ≥ 16
    private static final int D_IN = 64;
    private static final int D_SAE = 512;

    @Test
    void aTopKStepAllocatesNothing() {
        assertStepAllocatesNothing(new Architecture.TopK(8));
    }

    @Test
    void aBatchTopKStepAllocatesNothing() {
        assertStepAllocatesNothing(new Architecture.BatchTopK(8));
    }

    @Test
    void aMatryoshkaStepAllocatesNothing() {
        assertStepAllocatesNothing(new Architecture.MatryoshkaBatchTopK(8, List.of(64, 192, D_SAE)));
    }

    private static void assertStepAllocatesNothing(Architecture architecture) {
        int rows = 256;
        int dIn = D_IN;
        int dSae = D_SAE;
        SaeConfig config = SaeConfig.of(dIn, dSae, architecture);
        Sae sae = Sae.initialize(config, 1);
        boolean topK = architecture instanceof Architecture.TopK;
        SaeWorkspace workspace = new SaeWorkspace(sae, rows, true);
        TrainingLoss.Parts parts = new TrainingLoss.Parts();
        SaeParams grad = SaeParams.zeros(config);
        TrainConfig defaults = TrainConfig.defaults();
        AdamOptimizer adam = new AdamOptimizer(defaults, config.parameterCount());
        TrainingLoss loss = new TrainingLoss(0, defaults.auxKCoefficient(), dIn / 2, JumpReLULoss.NONE,
                topK ? 0 : 0.01); // BatchTopK's threshold moves every step
        boolean[] dead = new boolean[dSae];
        SplittableRandom random = new SplittableRandom(2);
        for (int j = 0; j < dSae; j++) {
            dead[j] = random.nextDouble() < 0.25; // so AuxK runs too
        }
        float[] x = workspace.input();
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Runnable step = new Runnable() {
            long n;

            @Override
            public void run() {
                workspace.forward();
                workspace.backward(loss, dead, grad, parts);
                adam.step(sae.params().flat(), grad.flat(), n++);
                sae.normalizeDecoderRows();
            }
        };
        for (int i = 0; i < 300; i++) {
            step.run(); // the JIT compiles the kernels: until then, interpreted Vector API code allocates
        }
        long[] threads = HeapAllocated.stepThreads();
        long first = HeapAllocated.by(threads);
        long reading = HeapAllocated.by(threads) - first; // what one reading allocates itself, if anything
        int steps = 100;
        double best = Double.MAX_VALUE;
        // Windows of 100 steps until one is steady: on a loaded machine the JIT may still be compiling (or
        // recompiling) a kernel during the first. A step that allocates every time never gets there.
        for (int window = 0; window < 20 && best > TOLERANCE; window++) {
            long before = HeapAllocated.by(threads);
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            best = Math.min(best, (double) (HeapAllocated.by(threads) - before - reading) / steps);
        }
        assertTrue(best <= TOLERANCE, architecture + ": " + best + " bytes per step");
    }
}
