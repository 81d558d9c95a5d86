package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The pool behind every kernel: coverage, chunk bounds, nesting, concurrent callers, failures, allocation. */
class ParallelTest {
    private static final int[] SIZES = {0, 1, 2, 3, 7, 15, 16, 17, 31, 63, 64, 65, 100, 127, 203, 1000, 4097};
    private static final int[] GRAINS = {0, 1, 2, 3, 4, 16, 64, 256};

    @Test
    void coversEveryIndexOnceInTheChunksOfTheFormula() {
        for (int n : SIZES) {
            for (int grain : GRAINS) {
                Queue<int[]> seen = new ConcurrentLinkedQueue<>();
                int[] hits = new int[n];
                Parallel.forRange(n, grain, (from, to) -> {
                    seen.add(new int[] {from, to});
                    for (int i = from; i < to; i++) {
                        hits[i]++;
                    }
                });
                String what = "n " + n + ", grain " + grain;
                assertHitOnce(hits, what);
                List<int[]> chunks = new ArrayList<>(seen);
                chunks.sort(Comparator.comparingInt((int[] c) -> c[0]).thenComparingInt(c -> c[1]));
                assertChunks(expectedChunks(n, grain), chunks, what);
            }
        }
    }

    @Test
    void defaultGrainIsSixteen() {
        Queue<int[]> seen = new ConcurrentLinkedQueue<>();
        Parallel.forRange(203, (from, to) -> seen.add(new int[] {from, to}));
        List<int[]> chunks = new ArrayList<>(seen);
        chunks.sort(Comparator.comparingInt(c -> c[0]));
        assertChunks(expectedChunks(203, 16), chunks, "n 203, default grain");
    }

    @Test
    void workersAreNamedDaemonsOneFewerThanTheThreads() {
        Parallel.forRange(1000, 1, (from, to) -> { });
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sae4j-kernel-")).toList();
        assertEquals(Parallel.threads() - 1, workers.size(), "sae4j-kernel-N workers (the caller is the last thread)");
        assertTrue(workers.stream().allMatch(Thread::isDaemon), "workers are daemons");
    }

    @Test
    void nestedCallsRunTheSameChunksInlineInOrder() {
        int rows = 37;
        int cols = 203;
        int[] hits = new int[rows * cols];
        List<List<int[]>> inner = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            inner.add(new ArrayList<>()); // Each row's list is touched by the one thread running that row.
        }
        Parallel.forRange(rows, 1, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r;
                Parallel.forRange(cols, 3, (a, b) -> {
                    inner.get(row).add(new int[] {a, b});
                    for (int c = a; c < b; c++) {
                        hits[row * cols + c]++;
                    }
                });
            }
        });
        assertHitOnce(hits, "nested " + rows + " × " + cols);
        for (int r = 0; r < rows; r++) {
            assertChunks(expectedChunks(cols, 3), inner.get(r), "inner call of row " + r + ", in order");
        }
    }

    @Test
    void twoOutsideCallersAtOnceNeitherDeadlockNorMix() throws InterruptedException {
        int calls = 2000;
        AtomicReference<String> failure = new AtomicReference<>();
        Thread[] callers = new Thread[2];
        for (int t = 0; t < callers.length; t++) {
            int n = 1000 + 17 * t;
            callers[t] = new Thread(() -> {
                int[] a = new int[n];
                for (int call = 1; call <= calls && failure.get() == null; call++) {
                    int value = call;
                    Parallel.forRange(n, 1, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            a[i] = value;
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        if (a[i] != value) {
                            failure.compareAndSet(null, "n " + n + ", call " + value + ": a[" + i + "] = " + a[i]);
                            break;
                        }
                    }
                }
            }, "outside-caller-" + t);
            callers[t].setDaemon(true); // A deadlock must fail this test, not hang the JVM.
        }
        for (Thread c : callers) {
            c.start();
        }
        for (Thread c : callers) {
            c.join(60_000);
            assertFalse(c.isAlive(), c.getName() + " still running after 60 s: deadlock");
        }
        assertEquals(null, failure.get(), "a caller read a value its own call did not write");
    }

    @Test
    void aChunksRuntimeExceptionReachesTheCallerAndThePoolStaysUsable() {
        RuntimeException boom = new IllegalArgumentException("the chunk holding the middle index");
        int n = 1000;
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Parallel.forRange(n, 1, (from, to) -> {
            if (from <= n / 2 && n / 2 < to) {
                throw boom;
            }
        }));
        assertSame(boom, thrown, "the body's own exception");
        assertStillUsable();
    }

    @Test
    void anErrorFromEveryChunkReachesTheCallerOnce() {
        Queue<Error> thrown = new ConcurrentLinkedQueue<>();
        Error caught = assertThrows(Error.class, () -> Parallel.forRange(4097, 1, (from, to) -> {
            Error e = new AssertionError("chunk at " + from);
            thrown.add(e);
            throw e;
        }));
        assertTrue(thrown.contains(caught), "the caller got one of the bodies' errors, not a wrapper: " + caught);
        assertStillUsable();
    }

    @Test
    void anExceptionOnAWorkerReachesTheCaller() {
        assumeTrue(Parallel.threads() > 1, "needs a worker");
        RuntimeException boom = new IllegalStateException("on a worker");
        AtomicBoolean workerRan = new AtomicBoolean();
        AtomicInteger callerChunks = new AtomicInteger();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Parallel.forRange(1000, 1, (a, b) -> {
            if (Thread.currentThread().getName().startsWith("sae4j-kernel-")) {
                workerRan.set(true);
                throw boom;
            }
            // The caller holds its first chunk until a worker has claimed one (5 s at most), so one surely does.
            if (callerChunks.getAndIncrement() == 0) {
                long until = System.nanoTime() + 5_000_000_000L;
                while (!workerRan.get() && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }));
        assertTrue(workerRan.get(), "no worker ran a chunk within 5 s");
        assertSame(boom, thrown, "the worker's exception");
        assertStillUsable();
    }

    // Preallocated and capturing nothing, so the calls below allocate only what forRange does.
    private static final float[] SINK = new float[4096];
    private static final Parallel.RangeBody TOUCH = (from, to) -> {
        for (int i = from; i < to; i++) {
            SINK[i] += 1f;
        }
    };
    private static final com.sun.management.ThreadMXBean THREAD_BEAN =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void callsAllocateNothingOnAnyThread() {
        assumeTrue(THREAD_BEAN.isThreadAllocatedMemoryEnabled(), "per-thread allocation counters");
        for (int i = 0; i < 20_000; i++) {
            Parallel.forRange(SINK.length, 1, TOUCH); // JIT warm-up of the caller's and the workers' paths
        }
        int calls = 2000;
        long bound = 2048; // bytes for all 2,000 calls: the two arrays the measurement itself allocates fit easily
        // The least of a few tries: another thread of the JVM (surefire's, JUnit's) allocating in one window is
        // noise, while an allocation per call would show in every window.
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && least >= bound; attempt++) {
            long before = allocatedBytes();
            for (int i = 0; i < calls; i++) {
                Parallel.forRange(SINK.length, 1, TOUCH);
            }
            least = Math.min(least, allocatedBytes() - before);
        }
        assertTrue(least < bound, calls + " calls allocated " + least + " bytes over all threads (bound " + bound
                + ")");
    }

    /** Heap bytes allocated so far by every live thread, the workers included. */
    private static long allocatedBytes() {
        long sum = 0;
        for (long b : THREAD_BEAN.getThreadAllocatedBytes(THREAD_BEAN.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    private static void assertStillUsable() {
        int[] hits = new int[4097];
        Parallel.forRange(hits.length, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                hits[i]++;
            }
        });
        assertHitOnce(hits, "the call after a failure");
    }

    private static int chunks(int n, int grain) {
        return (int) Math.min((long) Parallel.threads() * 4, Math.max(1, n / Math.max(1, grain)));
    }

    /** The chunks forRange promises: {@code [n·c/chunks, n·(c+1)/chunks)}, or one [0, n) when it runs inline. */
    private static List<int[]> expectedChunks(int n, int grain) {
        int chunks = chunks(n, grain);
        if (chunks <= 1 || Parallel.threads() == 1) {
            return List.of(new int[] {0, n});
        }
        List<int[]> expected = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            expected.add(new int[] {(int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)});
        }
        return Collections.unmodifiableList(expected);
    }

    private static void assertChunks(List<int[]> expected, List<int[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": chunk count");
        for (int i = 0; i < expected.size(); i++) {
            int[] e = expected.get(i);
            int[] a = actual.get(i);
            assertTrue(e[0] == a[0] && e[1] == a[1],
                    what + ": chunk " + i + " is [" + a[0] + ", " + a[1] + "), expected [" + e[0] + ", " + e[1] + ")");
        }
    }

    private static void assertHitOnce(int[] hits, String what) {
        for (int i = 0; i < hits.length; i++) {
            assertEquals(1, hits[i], what + ": index " + i + " run this many times");
        }
    }
}
