package org.sae4j.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.trainer.AdamOptimizer;
import org.sae4j.trainer.Schedules;
import org.sae4j.trainer.TrainConfig;

/**
 * The optimizer step over every parameter of an SAE of the shape ({@code 2·dIn·dSae + dSae + dIn} floats), as the
 * trainer runs it: ND4J's Adam updater, then {@code params −= update}. Beside it, a memory floor: ND4J's own
 * vectorized element-wise ops moving slightly more bytes than a fused Adam would (8 streams of floats: m ← g,
 * v += g, params −= m; a fused Adam reads params, g, m, v and writes params, m, v) with none of Adam's square root
 * and division. The gap between the two is what ND4J's updater costs above the memory traffic (its loop is scalar).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class AdamBenchmark {
    // JMH initializes this class to make the fork's state, before setUp's first ND4J call: the natives javacpp
    // loads are fixed from then on.
    static {
        Nd4jNatives.select();
    }

    private static final TrainConfig CONFIG = TrainConfig.defaults();

    @Param({Shape.SMALL_K, Shape.SAELENS})
    public String shape;

    private AdamOptimizer adam;
    private INDArray params;    // [1, nParams]
    private INDArray fresh;     // [1, nParams] a gradient, kept
    private INDArray gradient;  // [1, nParams] the step's copy of it, overwritten with the update
    private INDArray m;         // [1, nParams] for the floor
    private INDArray v;         // [1, nParams] for the floor
    private long step = CONFIG.lrWarmupSteps();

    @Setup
    public void setUp() {
        Shape s = Shape.parse(shape);
        long nParams = 2L * s.dIn() * s.dSae() + s.dSae() + s.dIn();
        adam = new AdamOptimizer(CONFIG, nParams);
        params = Nd4j.rand(DataType.FLOAT, 1, nParams);
        fresh = Nd4j.rand(DataType.FLOAT, 1, nParams).subi(0.5);
        gradient = fresh.dup();
        m = Nd4j.zeros(DataType.FLOAT, 1, nParams);
        v = Nd4j.zeros(DataType.FLOAT, 1, nParams);
    }

    /** Each step starts from the same gradient, as each training step brings a fresh one. */
    @Setup(Level.Invocation)
    public void freshGradient() {
        gradient.assign(fresh);
    }

    /** ND4J's Adam updater and the subtraction, as {@code Trainer} calls them every step. */
    @Benchmark
    public INDArray nd4jAdamStep() {
        adam.step(params, gradient, nextStep());
        return params;
    }

    /**
     * Steps in the schedule's constant stretch, past the warm-up and before the decay, over and over: the learning
     * rate the configuration names, never the decay's zero or what lies past the last step.
     */
    private long nextStep() {
        if (Schedules.learningRate(CONFIG, step) != CONFIG.lr()) {
            step = CONFIG.lrWarmupSteps();
        }
        return step++;
    }

    /** The floor: eight streams of floats through three of ND4J's vectorized element-wise ops. */
    @Benchmark
    public INDArray sameBytesThreeOps() {
        m.assign(gradient);
        v.addi(gradient);
        return params.subi(m);
    }
}
