package org.sae4j.bench;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.kernels.ActiveLatents;
import org.sae4j.dictionary.kernels.FloatOps;
import org.sae4j.dictionary.kernels.Gemm;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.Parallel;
import org.sae4j.dictionary.kernels.RowOps;
import org.sae4j.dictionary.kernels.SparseBackward;
import org.sae4j.dictionary.kernels.SparseOps;
import org.sae4j.dictionary.kernels.TopK;
import org.sae4j.trainer.AdamOptimizer;
import org.sae4j.trainer.TrainConfig;

/**
 * Where a TopK step's time goes: the step's phases replayed one public kernel call at a time, in TopKPass's and
 * Trainer's order (no AuxK: no latent is dead), with a clock around each. A profile, not the step itself: the
 * whole step is measured by {@link CompareStep} and {@link TrainStepBenchmark}, and the sum printed here should be
 * close to their figure.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.sae4j.bench.ProfileStep \
 *     [--shape 4096:768:16384:32] [--rounds 10] [--warmup 3]</pre>
 */
public final class ProfileStep {
    private final Shape s;
    private final Sae sae;
    private final SaeParams grad;
    private final AdamOptimizer adam; // its two halves timed apart
    private final float[] x;      // [N, dIn]
    private final float[] xc;     // [N, dIn]
    private final float[] bDec;   // [dIn]
    private final float[] bEnc;   // [dSae]
    private final float[] xHat;   // [N, dIn]
    private final float[] g;      // [N, dIn]
    private final double[] sq;    // [N]
    private final int[] idx;      // [N, k]
    private final float[] val;    // [N, k]
    private final float[] dVal;   // [N, k]
    private final float[] wDec;   // [dSae, dIn] heap copy
    private final float[] gradBEnc; // [dSae]
    private final float[] viaEncoder; // [dIn]
    private final INDArray xcNd;  // [N, dIn]
    private final INDArray preNd; // [N, dSae]
    private final ByteBuffer pre;
    private final FloatBuffer wDecView;
    private final FloatBuffer gradWDecView;
    private final ByteBuffer gradWEncView;
    private final ActiveLatents active;
    private final Fixture.EncoderGemm gemm;
    private final Gemm encoder;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> ms = new ArrayList<>();
    private final List<double[]> cpuMs = new ArrayList<>(); // CPU time of all threads: steadier under load
    private final List<long[]> alloc = new ArrayList<>(); // heap bytes allocated per phase, the step's threads
    private final long[] t;    // per phase boundary of the round in progress: wall clock,
    private final long[] cpu;  // process CPU time,
    private final long[] heap; // and heap allocated by the step's threads
    private int marks;   // boundaries marked so far this round
    private long step;
    private long[] stepThreads; // this thread and the kernel workers: whose allocation the heap column counts
    // Bound once, as the trainer's are: a lambda capturing locals would be a new object every round.
    private final Parallel.RangeBody centreRows = this::centreRows;
    private final Parallel.RangeBody copyDecoderRows = this::copyDecoderRows;
    private final SparseBackward.Codes[] codes;
    private final FloatBuffer wEncView;
    private final FloatBuffer bDecView;
    private final FloatBuffer bEncView;
    private final FloatBuffer gradBEncView;
    private final FloatBuffer xcView;

    ProfileStep(Shape s, int rounds) {
        this.s = s;
        SaeConfig config = SaeConfig.of(s.dIn(), s.dSae(), new Architecture.TopK(s.k()));
        this.sae = Sae.initialize(config, 1);
        this.grad = SaeParams.zeros(config);
        TrainConfig defaults = TrainConfig.defaults();
        this.adam = new AdamOptimizer(defaults, config.parameterCount());
        this.step = defaults.lrWarmupSteps(); // the configured learning rate, as most of a run has
        int n = s.n();
        this.x = new float[n * s.dIn()];
        java.util.SplittableRandom random = new java.util.SplittableRandom(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        this.xc = new float[n * s.dIn()];
        this.bDec = new float[s.dIn()];
        this.bEnc = new float[s.dSae()];
        this.xHat = new float[n * s.dIn()];
        this.g = new float[n * s.dIn()];
        this.sq = new double[n];
        this.idx = new int[n * s.k()];
        this.val = new float[n * s.k()];
        this.dVal = new float[n * s.k()];
        this.wDec = new float[s.dSae() * s.dIn()];
        this.gradBEnc = new float[s.dSae()];
        this.viaEncoder = new float[s.dIn()];
        this.xcNd = Nd4j.create(DataType.FLOAT, n, s.dIn());
        this.preNd = Nd4j.create(DataType.FLOAT, n, s.dSae());
        this.pre = Nio.bytes(preNd);
        this.wDecView = Nio.floats(sae.params().wDec());
        this.gradWDecView = Nio.floats(grad.wDec());
        this.gradWEncView = Nio.bytes(grad.wEnc());
        this.active = new ActiveLatents(s.dSae());
        this.codes = new SparseBackward.Codes[] {new SparseBackward.Codes(active, val, g, dVal, true)};
        this.wEncView = Nio.floats(sae.params().wEnc());
        this.bDecView = Nio.floats(sae.params().bDec());
        this.bEncView = Nio.floats(sae.params().bEnc());
        this.gradBEncView = Nio.floats(grad.bEnc());
        this.xcView = Nio.floats(xcNd);
        this.gemm = new Fixture.EncoderGemm(s, 7);
        this.encoder = Gemm.of(xcNd, sae.params().wEnc(), preNd, false, false);
        for (String name : new String[] {"bare encoder GEMM (reference)", "centre x − b_dec, copy to native",
            "encoder GEMM", "top-k + ReLU", "W_dec copy to heap", "decode + reconstruction grad",
            "codes by latent", "backward (code grads, dW_dec ⟂, dW_enc, db_enc)", "db_dec via W_enc (matVec)",
            "Adam: ND4J updater", "Adam: params −= update", "decoder row norm"}) {
            names.add(name);
            ms.add(new double[rounds]);
            alloc.add(new long[rounds]);
            cpuMs.add(new double[rounds]);
        }
        this.t = new long[names.size() + 1];
        this.cpu = new long[names.size() + 1];
        this.heap = new long[names.size() + 1];
    }

    public static void main(String[] args) {
        Nd4jNatives natives = Nd4jNatives.select(); // before the first ND4J call, which fixes the natives
        Shape shape = Shape.parse(Probes.option(args, "--shape", Shape.SMALL_K));
        int rounds = Integer.parseInt(Probes.option(args, "--rounds", "10"));
        int warmup = Integer.parseInt(Probes.option(args, "--warmup", "3"));
        System.out.printf("sae4j ProfileStep  shape %s  threads %d  simd %s  nd4j natives %s  OPENBLAS_CORETYPE=%s"
                + "  THREAD_TIMEOUT=%s%n", shape, Parallel.threads(), FloatOps.SIMD, natives.label(),
                System.getenv("OPENBLAS_CORETYPE"), System.getenv("OPENBLAS_THREAD_TIMEOUT"));
        ProfileStep p = new ProfileStep(shape, Math.max(rounds, warmup));
        p.stepThreads = Probes.stepThreads(); // the kernel workers started with Parallel, above
        for (int r = 0; r < warmup; r++) {
            p.round(r);
        }
        for (int r = 0; r < rounds; r++) {
            p.round(r);
        }
        p.print(rounds);
    }

    private void round(int r) {
        int n = s.n();
        int dIn = s.dIn();
        int dSae = s.dSae();
        int k = s.k();
        marks = 0;
        mark();
        gemm.run();
        mark();
        bDecView.get(0, bDec);
        Parallel.forRange(n, centreRows);
        xcView.put(0, xc);
        mark();
        encoder.run();
        mark();
        bEncView.get(0, bEnc);
        TopK.select(pre, bEnc, n, dSae, null, 0, k, idx, val);
        for (int a = 0; a < val.length; a++) {
            val[a] = Math.max(val[a], 0f);
        }
        mark();
        Parallel.forRange(dSae, 256, copyDecoderRows);
        mark();
        SparseOps.decodeWithGrad(idx, val, n, k, wDec, dIn, bDec, null, x, 2f / n, xHat, g, sq, null);
        mark();
        active.build(idx, val, n, k);
        mark();
        // The code gradients formed here, dW_dec ⟂ W_dec and the finiteness check, as the trainer runs them.
        boolean finite = SparseBackward.run(codes, xc, dIn, dSae, wDec, true, gradBEnc, gradWDecView, gradWEncView);
        if (!finite) {
            throw new IllegalStateException("the profiled step diverged");
        }
        mark();
        RowOps.matVec(wEncView, dIn, dSae, gradBEnc, viaEncoder);
        gradBEncView.put(0, gradBEnc);
        mark();
        adam.update(grad.flat(), step++);
        mark();
        adam.apply(sae.params().flat(), grad.flat());
        mark();
        sae.normalizeDecoderRows();
        mark();
        for (int p = 0; p < names.size(); p++) {
            ms.get(p)[r] = (t[p + 1] - t[p]) / 1e6;
            alloc.get(p)[r] = heap[p + 1] - heap[p];
            cpuMs.get(p)[r] = (cpu[p + 1] - cpu[p]) / 1e6;
        }
    }

    /** The clocks and the heap count at a phase boundary: the {@code marks}-th of this round. */
    private void mark() {
        heap[marks] = Probes.allocatedBytes(stepThreads);
        cpu[marks] = Probes.processCpuNanos();
        t[marks++] = System.nanoTime();
    }

    private void centreRows(int from, int to) {
        int dIn = s.dIn();
        for (int a = from * dIn; a < to * dIn; a += dIn) {
            for (int d = 0; d < dIn; d++) {
                xc[a + d] = x[a + d] - bDec[d];
            }
        }
    }

    private void copyDecoderRows(int from, int to) {
        int dIn = s.dIn();
        wDecView.get(from * dIn, wDec, from * dIn, (to - from) * dIn);
    }

    private void print(int rounds) {
        double total = 0;
        double totalCpu = 0;
        double gemmCpu = CompareStep.median(java.util.Arrays.copyOf(cpuMs.get(0), rounds));
        System.out.printf("  %-42s %8s %10s %8s %10s%n", "phase (medians)", "wall ms", "CPU ms", "CPU/GEMM",
                "heap B");
        for (int p = 0; p < names.size(); p++) {
            double m = CompareStep.median(java.util.Arrays.copyOf(ms.get(p), rounds));
            double c = CompareStep.median(java.util.Arrays.copyOf(cpuMs.get(p), rounds));
            if (p > 0) {
                total += m;
                totalCpu += c;
            }
            long[] a = java.util.Arrays.copyOf(alloc.get(p), rounds);
            java.util.Arrays.sort(a);
            System.out.printf("  %-42s %8.1f %10.1f %8.3f %,10d%n", names.get(p), m, c, c / gemmCpu, a[rounds / 2]);
        }
        double gemmMs = CompareStep.median(java.util.Arrays.copyOf(ms.get(0), rounds));
        System.out.printf("  %-42s %8.1f %10.1f %8.3f   (wall: %.3f × the bare GEMM)%n", "sum of the step's phases",
                total, totalCpu, totalCpu / gemmCpu, total / gemmMs);
    }
}
