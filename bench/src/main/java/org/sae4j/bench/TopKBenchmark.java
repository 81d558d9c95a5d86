package org.sae4j.bench;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
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
import org.openjdk.jmh.infra.Blackhole;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.dictionary.kernels.BatchSelect;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.Parallel;
import org.sae4j.dictionary.kernels.TopK;

/**
 * Top-k selection over the encoder's real output (a fresh SAE's pre-activations for Gaussian inputs, in native
 * memory, b_enc added on the fly), beside its floor: reading every row once into the same per-thread scratch. Also
 * BatchTopK's selection of the k·N largest over the whole batch, on the same output, as training runs it: one
 * selection reused call after call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_MODULES, Jvm.VECTOR, Jvm.HEAP, Jvm.OFF_HEAP, Jvm.QUIET})
public class TopKBenchmark {
    // JMH initializes this class to make the fork's state, before setUp's first ND4J call: the natives javacpp
    // loads are fixed from then on.
    static {
        Nd4jNatives.select();
    }

    @Param({Shape.SMALL_K, Shape.SAELENS})
    public String shape;

    private Shape s;
    private INDArray preNd;  // [N, dSae] held: a NIO view does not keep its array's memory alive
    private ByteBuffer pre;  // view of preNd
    private FloatBuffer preFloats;
    private float[] bEnc;    // [dSae]
    private int[] idx;       // [N, k]
    private float[] val;     // [N, k]
    private BatchSelect batchSelect;
    private int[] rowStart;  // [N + 1]

    @Setup
    public void setUp() {
        s = Shape.parse(shape);
        Fixture f = new Fixture(s, 0, 1);
        INDArray xc = Nd4j.createFromArray(f.workspace.input()).reshape(s.n(), s.dIn());
        preNd = Nd4j.create(DataType.FLOAT, s.n(), s.dSae());
        Nd4j.gemm(xc, f.sae.params().wEnc(), preNd, false, false, 1.0, 0.0);
        pre = Nio.bytes(preNd);
        preFloats = Nio.floats(preNd);
        bEnc = Nio.get(f.sae.params().bEnc());
        idx = new int[s.n() * s.k()];
        val = new float[s.n() * s.k()];
        batchSelect = new BatchSelect(s.n(), s.dSae());
        rowStart = new int[s.n() + 1];
    }

    @Benchmark
    public int[] topK() {
        TopK.select(pre, bEnc, s.n(), s.dSae(), null, 0, s.k(), idx, val);
        return idx;
    }

    @Benchmark
    public int batchTopK() {
        return batchSelect.select(pre, bEnc, s.n() * s.k(), rowStart, idx, val);
    }

    /** The memory floor of the scan: each row copied once into per-thread scratch, and nothing else. */
    @Benchmark
    public void readRowsOnce(Blackhole bh) {
        int cols = s.dSae();
        Parallel.forRange(s.n(), 4, (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                preFloats.get(r * cols, row, 0, cols);
            }
            bh.consume(row);
        });
    }
}
