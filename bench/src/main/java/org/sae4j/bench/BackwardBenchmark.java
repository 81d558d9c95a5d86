package org.sae4j.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * The TopK backward after one forward: sae4j's sparse backward (dW_dec on active rows, dW_enc and db_enc scattered
 * from the active latents, db_dec) against what a dense decoder makes autograd do: three GEMMs the size of the
 * encoder's ({@code Fᵀ·g}, {@code g·W_decᵀ}, {@code xcᵀ·dPre}), and, alone, the one a dense-gemm dW_enc on the
 * sparse dPre would cost. The dense side is charged for nothing but its GEMMs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class BackwardBenchmark {
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
    private INDArray codes;   // [N, dSae] dense F (zeros but the active entries; values do not change GEMM time)
    private INDArray g;       // [N, dIn] d loss / d x̂
    private INDArray xc;      // [N, dIn]
    private INDArray dCodes;  // [N, dSae]
    private INDArray gradWDec; // [dSae, dIn]
    private INDArray gradWEnc; // [dIn, dSae]

    @Setup
    public void setUp() {
        Shape s = Shape.parse(shape);
        f = new Fixture(s, deadFraction, 1);
        f.workspace.forward();
        codes = Nd4j.rand(DataType.FLOAT, s.n(), s.dSae());
        g = Nd4j.rand(DataType.FLOAT, s.n(), s.dIn());
        xc = Nd4j.rand(DataType.FLOAT, s.n(), s.dIn());
        dCodes = Nd4j.create(DataType.FLOAT, s.n(), s.dSae());
        gradWDec = Nd4j.create(DataType.FLOAT, s.dSae(), s.dIn());
        gradWEnc = Nd4j.create(DataType.FLOAT, s.dIn(), s.dSae());
    }

    @Benchmark
    public double sparseBackward() {
        f.workspace.backward(f.loss, f.dead, f.grad, f.parts);
        return f.parts.total();
    }

    @Benchmark
    public INDArray denseBackward() {
        Nd4j.gemm(codes, g, gradWDec, true, false, 1.0, 0.0);  // dW_dec = Fᵀ·g      [dSae, dIn]
        Nd4j.gemm(g, f.sae.params().wDec(), dCodes, false, true, 1.0, 0.0); // dF = g·W_decᵀ [N, dSae]
        return Nd4j.gemm(xc, dCodes, gradWEnc, true, false, 1.0, 0.0); // dW_enc = xcᵀ·dPre [dIn, dSae]
    }

    /** dW_enc alone as a dense GEMM over the (mostly zero) dPre: what the sparse scatter replaces. */
    @Benchmark
    public INDArray denseEncoderGradOnly() {
        return Nd4j.gemm(xc, dCodes, gradWEnc, true, false, 1.0, 0.0);
    }
}
