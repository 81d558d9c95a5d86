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
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.SparseOps;
import org.sae4j.dictionary.kernels.TopK;

/**
 * Decoding TopK codes: the sparse gather-sum of k decoder rows per token, against the dense product
 * {@code codes [N, dSae] × W_dec} through {@code Nd4j.gemm} (codes already dense, so the dense side is not charged
 * for the scatter). The codes are a fresh SAE's real top-k of Gaussian inputs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class DecodeBenchmark {
    // JMH initializes this class to make the fork's state, before setUp's first ND4J call: the natives javacpp
    // loads are fixed from then on.
    static {
        Nd4jNatives.select();
    }

    @Param({Shape.SMALL_K, Shape.SAELENS})
    public String shape;

    private Shape s;
    private int[] idx;      // [N, k]
    private float[] val;    // [N, k]
    private float[] wDec;   // [dSae, dIn]
    private float[] bDec;   // [dIn]
    private float[] out;    // [N, dIn]
    private INDArray codes; // [N, dSae] dense
    private INDArray wDecNd;
    private INDArray outNd; // [N, dIn]

    @Setup
    public void setUp() {
        s = Shape.parse(shape);
        Fixture f = new Fixture(s, 0, 1);
        INDArray xc = Nd4j.createFromArray(f.workspace.input()).reshape(s.n(), s.dIn());
        INDArray pre = Nd4j.create(DataType.FLOAT, s.n(), s.dSae());
        Nd4j.gemm(xc, f.sae.params().wEnc(), pre, false, false, 1.0, 0.0);
        idx = new int[s.n() * s.k()];
        val = new float[s.n() * s.k()];
        TopK.select(Nio.bytes(pre), new float[s.dSae()], s.n(), s.dSae(), null, 0, s.k(), idx, val);
        for (int i = 0; i < val.length; i++) {
            val[i] = Math.max(val[i], 0f);
        }
        wDecNd = f.sae.params().wDec();
        wDec = Nio.get(wDecNd);
        bDec = new float[s.dIn()];
        out = new float[s.n() * s.dIn()];
        codes = Nd4j.create(DataType.FLOAT, s.n(), s.dSae());
        Nio.put(codes, SparseOps.densify(idx, val, s.n(), s.k(), s.dSae()));
        outNd = Nd4j.create(DataType.FLOAT, s.n(), s.dIn());
    }

    @Benchmark
    public float[] sparseDecode() {
        SparseOps.decode(idx, val, s.n(), s.k(), wDec, s.dIn(), bDec, out);
        return out;
    }

    @Benchmark
    public INDArray denseDecode() {
        return Nd4j.gemm(codes, wDecNd, outNd, false, false, 1.0, 0.0);
    }
}
