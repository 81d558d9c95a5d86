package org.sae4j.bench;

import java.io.IOException;
import java.util.Arrays;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.dictionary.kernels.FloatOps;
import org.sae4j.dictionary.kernels.Parallel;

/**
 * The Java half of {@code bench/compare.sh}: in one process, the bare encoder GEMM and the whole TopK training step
 * at one shape, interleaved round by round so that load from other processes falls on both alike; prints medians,
 * their ratio, a per-phase breakdown of the step, what a step allocates, and peak memory. Not a JMH benchmark (JMH
 * forks a JVM per benchmark, and the ratio should come from one process); the JMH twins are
 * {@link EncoderGemmBenchmark} and {@link TrainStepBenchmark}.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.sae4j.bench.CompareStep \
 *     [--shape 4096:768:16384:32] [--rounds 15] [--warmup 5] [--dead 0]</pre>
 * The last line is {@code RESULT key=value ...} for the script.
 */
public final class CompareStep {
    private CompareStep() {
    }

    public static void main(String[] args) throws IOException {
        Nd4jNatives natives = Nd4jNatives.select(); // before the first ND4J call, which fixes the natives
        Shape shape = Shape.parse(Probes.option(args, "--shape", Shape.SMALL_K));
        int rounds = Integer.parseInt(Probes.option(args, "--rounds", "15"));
        int warmup = Integer.parseInt(Probes.option(args, "--warmup", "5"));
        double deadFraction = Double.parseDouble(Probes.option(args, "--dead", "0"));

        System.out.printf("sae4j CompareStep  shape %s  threads %d  simd %s  nd4j natives %s  OPENBLAS_CORETYPE=%s"
                + "  THREAD_TIMEOUT=%s  dead %.2f%n", shape, Parallel.threads(), FloatOps.SIMD, natives.label(),
                System.getenv("OPENBLAS_CORETYPE"), System.getenv("OPENBLAS_THREAD_TIMEOUT"), deadFraction);
        Fixture.EncoderGemm gemm = new Fixture.EncoderGemm(shape, 7);
        Fixture fixture = new Fixture(shape, deadFraction, 1);
        for (int i = 0; i < warmup; i++) {
            gemm.run();
            fixture.step();
        }

        double[] gemmMs = new double[rounds];
        double[] stepMs = new double[rounds];
        double[] gemmCpuMs = new double[rounds];
        double[] stepCpuMs = new double[rounds];
        Phases phases = new Phases(rounds); // before the heap readings: loading its class allocates ~20 KB
        long rssBefore = Probes.rssKb("VmRSS:");
        long[] stepThreads = Probes.stepThreads();
        long heapBefore = Probes.allocatedBytes();
        // What one reading of the step's threads allocates itself, if anything, seen by the next reading: taken off
        // the step's figure below, as StepAllocationTest does.
        long firstReading = Probes.allocatedBytes(stepThreads);
        long stepHeapBefore = Probes.allocatedBytes(stepThreads);
        long reading = stepHeapBefore - firstReading;
        for (int r = 0; r < rounds; r++) {
            long c0 = Probes.processCpuNanos();
            long t0 = System.nanoTime();
            gemm.run();
            long t1 = System.nanoTime();
            long c1 = Probes.processCpuNanos();
            phases.step(fixture, r);
            long t2 = System.nanoTime();
            long c2 = Probes.processCpuNanos();
            gemmMs[r] = (t1 - t0) / 1e6;
            stepMs[r] = (t2 - t1) / 1e6;
            gemmCpuMs[r] = (c1 - c0) / 1e6;
            stepCpuMs[r] = (c2 - c1) / 1e6;
        }
        long stepHeapPerStep = (Probes.allocatedBytes(stepThreads) - stepHeapBefore - reading) / rounds;
        long heapPerStep = (Probes.allocatedBytes() - heapBefore) / rounds;
        // ND4J's buffers are not counted by javacpp: watch the resident set instead
        long rssGrowthKb = Probes.rssKb("VmRSS:") - rssBefore;

        double gemm50 = median(gemmMs);
        double step50 = median(stepMs);
        System.out.printf("encoder GEMM  median %8.1f ms  (%.0f GFLOP/s)  min %.1f  max %.1f%n", gemm50,
                shape.encoderFlops() / gemm50 / 1e6, min(gemmMs), max(gemmMs));
        System.out.printf("TopK step     median %8.1f ms  (%.0f tokens/s)  min %.1f  max %.1f%n", step50,
                shape.n() / step50 * 1e3, min(stepMs), max(stepMs));
        System.out.printf("step / GEMM   %.3f  (median of per-round ratios %.3f)%n", step50 / gemm50,
                medianRatio(stepMs, gemmMs));
        System.out.printf("process CPU time (all threads): GEMM %.0f ms, step %.0f ms, ratio %.3f"
                + "  (less sensitive to other processes' load than wall time; includes spin-waiting)%n",
                median(gemmCpuMs), median(stepCpuMs), median(stepCpuMs) / median(gemmCpuMs));
        phases.print();
        System.out.printf("allocated per round (GEMM + step): heap %d bytes on the step's threads"
                + " (this one and the kernel workers), %d on all threads (the JVM's and ND4J's background threads"
                + " too); resident set %+d KiB over the %d rounds%n", stepHeapPerStep, heapPerStep, rssGrowthKb,
                rounds);
        System.out.printf("memory: peak RSS %.0f MiB, heap used %.0f MiB%n", Probes.rssKb("VmHWM:") / 1024.0,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
        System.out.printf("RESULT shape=%s gemm_ms=%.2f step_ms=%.2f fwdbwd_ms=%.2f ratio=%.4f tokens_per_s=%.1f"
                        + " gemm_cpu_ms=%.1f step_cpu_ms=%.1f peak_rss_mib=%.0f step_threads_heap_per_round=%d"
                        + " heap_alloc_per_step=%d rss_growth_kib=%d%n",
                shape, gemm50, step50, phases.forwardBackwardMedian(), step50 / gemm50, shape.n() / step50 * 1e3,
                median(gemmCpuMs), median(stepCpuMs), Probes.rssKb("VmHWM:") / 1024.0, stepHeapPerStep, heapPerStep,
                rssGrowthKb);
    }

    /** The step of {@link Fixture#step} with a clock between its calls. */
    private static final class Phases {
        private static final String[] NAMES = {"forward", "backward (decoder grad ⟂, finiteness)", "adam",
                "decoder norm"};
        private final double[][] ms;

        Phases(int rounds) {
            ms = new double[NAMES.length][rounds];
        }

        void step(Fixture f, int r) {
            long t0 = System.nanoTime();
            f.workspace.forward();
            long t1 = System.nanoTime();
            f.workspace.backward(f.loss, f.dead, f.grad, f.parts);
            f.requireFinite(f.parts.total());
            long t2 = System.nanoTime();
            f.adam.step(f.sae.params().flat(), f.grad.flat(), 1000 + r);
            long t3 = System.nanoTime();
            f.sae.normalizeDecoderRows();
            long t4 = System.nanoTime();
            ms[0][r] = (t1 - t0) / 1e6;
            ms[1][r] = (t2 - t1) / 1e6;
            ms[2][r] = (t3 - t2) / 1e6;
            ms[3][r] = (t4 - t3) / 1e6;
        }

        double forwardBackwardMedian() {
            double[] sum = new double[ms[0].length];
            for (int r = 0; r < sum.length; r++) {
                sum[r] = ms[0][r] + ms[1][r];
            }
            return median(sum);
        }

        void print() {
            StringBuilder s = new StringBuilder("step phases (median ms):");
            for (int i = 0; i < NAMES.length; i++) {
                s.append(String.format("  %s %.1f", NAMES[i], median(ms[i])));
            }
            System.out.println(s);
        }
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double medianRatio(double[] num, double[] den) {
        double[] r = new double[num.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = num[i] / den[i];
        }
        return median(r);
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElse(Double.NaN);
    }

    private static double max(double[] a) {
        return Arrays.stream(a).max().orElse(Double.NaN);
    }
}
