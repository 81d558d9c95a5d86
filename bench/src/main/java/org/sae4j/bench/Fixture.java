package org.sae4j.bench;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.TrainingLoss;
import org.sae4j.dictionary.kernels.Gemm;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.trainer.AdamOptimizer;
import org.sae4j.trainer.TrainConfig;

/**
 * Everything one TopK training step touches, built the way {@code Trainer} builds it: a freshly initialised SAE
 * (unit decoder rows, W_enc = W_decᵀ), its workspace, a gradient, Adam, and one batch of Gaussian inputs (seeded;
 * E‖x‖ ≈ √dIn, the scale the trainer normalises to). A fraction of latents can be flagged dead to run AuxK.
 *
 * <p>Before the first fixture, the JVM makes a few batches with the synthetic source, as a training JVM does before
 * its first step: code that runs beside the kernels shapes what C2 makes of them (a second float vector shape in the
 * source once made top-k 3× slower in training while these benchmarks, which had not run it, saw nothing).
 */
public final class Fixture {
    public final Shape shape;
    public final Sae sae;
    public final SaeWorkspace workspace;
    public final SaeParams grad;
    public final AdamOptimizer adam;
    public final TrainingLoss loss;
    public final boolean[] dead; // [dSae]
    public final TrainingLoss.Parts parts = new TrainingLoss.Parts(); // the step's loss, as the trainer keeps it
    private long step;

    private static boolean sourceRan;

    public Fixture(Shape shape, double deadFraction, long seed) {
        runSyntheticSourceOnce();
        this.shape = shape;
        SaeConfig config = SaeConfig.of(shape.dIn(), shape.dSae(), new Architecture.TopK(shape.k()));
        this.sae = Sae.initialize(config, seed);
        this.workspace = new SaeWorkspace(sae, shape.n(), true); // unit-norm decoder rows, as the trainer
        this.grad = SaeParams.zeros(config);
        TrainConfig defaults = TrainConfig.defaults();
        this.adam = new AdamOptimizer(defaults, config.parameterCount());
        // As the trainer: AuxK with α = 1/32 and kAux = dIn/2 (sparsify, SAELens).
        this.loss = new TrainingLoss(0, defaults.auxKCoefficient(), Math.max(1, shape.dIn() / 2));
        this.dead = new boolean[shape.dSae()];
        SplittableRandom random = new SplittableRandom(seed + 1);
        for (int j = 0; j < dead.length; j++) {
            dead[j] = random.nextDouble() < deadFraction;
        }
        float[] x = workspace.input();
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
    }

    /** 30 batches of 4096 rows from the default synthetic source (what `sae4j train` trains on), once per JVM. */
    private static synchronized void runSyntheticSourceOnce() {
        if (sourceRan) {
            return;
        }
        sourceRan = true;
        SyntheticSuperposition source = new SyntheticSuperposition(SyntheticConfig.defaults());
        float[] rows = new float[4096 * source.dIn()];
        for (int batch = 0; batch < 30; batch++) {
            source.next(rows, 4096);
        }
    }

    /**
     * One training step as {@code Trainer.fit} runs it, minus reading the batch and the bookkeeping: forward,
     * backward (with the decoder-gradient constraint), the finiteness check, Adam, the decoder-norm constraint.
     * Returns the loss.
     */
    public double step() {
        workspace.forward();
        workspace.backward(loss, dead, grad, parts);
        double total = parts.total();
        requireFinite(total);
        adam.step(sae.params().flat(), grad.flat(), step++);
        sae.normalizeDecoderRows();
        return total;
    }

    /**
     * What the trainer's divergence check costs: nothing more when the backward's kernels saw the gradient finite,
     * else one ND4J sum over it, as {@code Divergence} does.
     */
    void requireFinite(double loss) {
        if (!Double.isFinite(loss) || !workspace.gradientKnownFinite() && !Float.isFinite(grad.flat().sumNumber()
                .floatValue())) {
            throw new IllegalStateException("the benchmark's step diverged");
        }
    }

    /** The encoder GEMM alone, into a preallocated output: the floor under any TopK step. */
    public static final class EncoderGemm {
        private final INDArray xc;  // [N, dIn]
        private final INDArray wEnc; // [dIn, dSae]
        private final INDArray pre; // [N, dSae]
        private final Gemm product; // the same bound call the step's encoder makes

        public EncoderGemm(Shape shape, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] x = new float[shape.n() * shape.dIn()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] w = new float[shape.dIn() * shape.dSae()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() / Math.sqrt(shape.dIn()));
            }
            this.xc = Nd4j.create(DataType.FLOAT, shape.n(), shape.dIn());
            this.wEnc = Nd4j.create(DataType.FLOAT, shape.dIn(), shape.dSae());
            this.pre = Nd4j.create(DataType.FLOAT, shape.n(), shape.dSae());
            Nio.put(xc, x);
            Nio.put(wEnc, w);
            this.product = Gemm.of(xc, wEnc, pre, false, false);
        }

        public INDArray run() {
            product.run();
            return pre;
        }

        /** The same weights stored transposed: [dSae, dIn] row-major, a new array. */
        public INDArray transposedWeights() {
            return wEnc.transpose().dup('c');
        }

        /** The same product from weights stored as {@link #transposedWeights} gives them (BLAS's transposed B). */
        public INDArray runTransposed(INDArray wEncT) {
            return Nd4j.gemm(xc, wEncT, pre, false, true, 1.0, 0.0);
        }
    }
}
