package org.sae4j.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * The floor: {@code [N, dIn] × [dIn, dSae]} into a preallocated output, through the bound {@code Gemm} the step's
 * encoder uses (OpenBLAS's sgemm, the kernel {@code Nd4j.gemm} also ends in).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class EncoderGemmBenchmark {
    // JMH initializes this class to make the fork's state, before setUp's first ND4J call: the natives javacpp
    // loads are fixed from then on.
    static {
        Nd4jNatives.select();
    }

    @Param({Shape.SMALL_K, Shape.SAELENS})
    public String shape;

    private Fixture.EncoderGemm gemm;
    private INDArray wEncT; // [dSae, dIn]: W_enc stored transposed

    @Setup
    public void setUp() {
        gemm = new Fixture.EncoderGemm(Shape.parse(shape), 7);
        wEncT = gemm.transposedWeights();
        INDArray expected = gemm.run().dup();
        double diff = gemm.runTransposed(wEncT).sub(expected).amaxNumber().doubleValue();
        if (!(diff <= 1e-4 * expected.amaxNumber().doubleValue())) {
            throw new IllegalStateException("the transposed-weights product differs from the plain one by " + diff);
        }
    }

    @Benchmark
    public INDArray encoderGemm() {
        return gemm.run();
    }

    /**
     * The same product with W_enc kept as [dSae, dIn] (BLAS's transposed B). Were W_enc stored so, the TopK
     * backward could write each dW_enc row as it is summed, instead of transposing its tiles into the [dIn, dSae]
     * layout (about 11 of its 37 ms at 4096:768:16384:32 here).
     */
    @Benchmark
    public INDArray encoderGemmTransposedWeights() {
        return gemm.runTransposed(wEncT);
    }
}
