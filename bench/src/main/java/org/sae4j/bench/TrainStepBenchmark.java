package org.sae4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sae4j.dictionary.Nd4jNatives;

/**
 * The whole TopK training step as the trainer runs it (forward, backward, decoder-gradient projection, Adam,
 * decoder renormalisation), and forward + backward alone. Compare with {@link EncoderGemmBenchmark}, the floor;
 * {@link CompareStep} measures the ratio within one process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class TrainStepBenchmark {
    // JMH initializes this class to make the fork's state, before setUp's first ND4J call: the natives javacpp
    // loads are fixed from then on.
    static {
        Nd4jNatives.select();
    }

    @Param({Shape.SMALL_K, Shape.SAELENS})
    public String shape;

    /** Fraction of latents flagged dead, so AuxK runs (kAux = dIn/2); 0 = the start of training. */
    @Param({"0"})
    public double deadFraction;

    private Fixture f;

    @Setup
    public void setUp() {
        f = new Fixture(Shape.parse(shape), deadFraction, 1);
    }

    @Benchmark
    public double trainStep() {
        return f.step();
    }

    @Benchmark
    public double forwardBackward() {
        f.workspace.forward();
        f.workspace.backward(f.loss, f.dead, f.grad, f.parts);
        return f.parts.total();
    }
}
