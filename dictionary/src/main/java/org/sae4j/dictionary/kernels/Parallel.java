package org.sae4j.dictionary.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range over {@link #threads()} threads (system property {@code sae4j.threads}, default: every available
 * processor): the caller and {@code threads() − 1} daemon workers {@code sae4j-kernel-N}, started once. A call
 * allocates nothing: the job lives in a few static atomics, and the threads claim its chunks from one counter. It
 * was a fork-join pool, which allocated its tasks and queue nodes on every call (~620 bytes per call at 8 chunks,
 * measured here), and a training step makes dozens of calls.
 *
 * <p>Idle threads spin a few microseconds and then park, so they leave the cores to OpenBLAS and to other
 * processes between kernels; the caller unparks them with each job, and the last thread to finish unparks the
 * caller if it parked waiting.
 *
 * <p>One job runs at a time. A call that finds one in flight (nested in a chunk, or from a second outside thread)
 * runs the same chunks inline, in order, so it neither waits on the pool nor deadlocks. Chunk bounds depend only
 * on the range, the grain and {@link #threads()}, and every kernel writes disjoint outputs per chunk, so results
 * are bitwise deterministic whichever thread runs which chunk.
 */
public final class Parallel {
    /** Chunks per thread: a few, so a thread slowed by another process on its core is evened out by the others. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int THREADS = Integer.getInteger("sae4j.threads", Runtime.getRuntime().availableProcessors());
    /**
     * How long an idle thread spins before it parks: catches a kernel that follows within a few microseconds
     * without the park/unpark round trip (~30 µs measured here), and costs a core at most this long per call,
     * which on 2 cores is taken from the caller.
     */
    private static final long SPIN_NANOS = 5_000;

    // The job in flight. BUSY is held by the caller that published it until every chunk is done.
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** {@code job << 32 | chunks << 16 | next chunk}: a claim is a compare-and-set of the whole word. */
    private static final AtomicLong CLAIM = new AtomicLong();
    /** Chunks claimed or not yet claimed that have not finished; 0 means the job is done. */
    private static final AtomicInteger UNFINISHED = new AtomicInteger();
    /** The first throwable a chunk threw; the rest of the chunks are skipped. */
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    // Written by the caller before the CLAIM write that publishes the job, read by threads after a claim: the
    // claim reads that write, and the job cannot finish (and be replaced) before the claimed chunk is counted.
    private static RangeBody jobBody;
    private static int jobN;
    private static Thread jobCaller;
    private static int jobId;
    /** The caller parked waiting for the last chunk; Dekker-style with {@link #UNFINISHED}, so no wakeup is lost. */
    private static volatile boolean callerParked;
    private static final Worker[] WORKERS = startWorkers();

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** Threads the kernels use, the caller included. */
    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) in chunks of at least 16 items. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 16, body);
    }

    /**
     * A parallel body that carries one call's arguments in its fields. A kernel keeps one per calling thread and
     * fills it on each call, so the call allocates nothing; a lambda capturing the arguments would be a new object
     * every time, several per training step.
     */
    public abstract static class Job implements RangeBody {
        /** Drops the call's references, so the job does not keep the caller's arrays alive between calls. */
        protected abstract void clear();
    }

    /** {@link #forRange(int, int, RangeBody)} over a {@link Job}, which is cleared after, also on failure. */
    public static void runJob(int n, int grain, Job job) {
        try {
            forRange(n, grain, job);
        } finally {
            job.clear();
        }
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} items (work below that stays inline). */
    public static void forRange(int n, int grain, RangeBody body) {
        int chunks = (int) Math.min((long) THREADS * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || THREADS == 1) {
            body.run(0, n);
            return;
        }
        if (!BUSY.compareAndSet(false, true)) {
            // Nested in a chunk, or a second caller: the same chunks, here, so the results are the same.
            for (int c = 0; c < chunks; c++) {
                body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
            }
            return;
        }
        Throwable failure;
        try {
            publish(n, chunks, body);
            runChunks();
            awaitFinished();
        } finally {
            jobBody = null; // Every chunk is counted, so no thread reads it again; don't keep its captures alive.
            failure = FAILURE.getAndSet(null);
            BUSY.set(false);
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("a chunk threw a checked exception", failure);
        }
    }

    /** Start of chunk {@code c} of {@code chunks} over [0, n). */
    private static int bound(int n, int c, int chunks) {
        return (int) ((long) n * c / chunks);
    }

    private static void publish(int n, int chunks, RangeBody body) {
        jobBody = body;
        jobN = n;
        jobCaller = Thread.currentThread();
        jobId++;
        UNFINISHED.set(chunks);
        CLAIM.set((long) jobId << 32 | (long) chunks << 16);
        for (int i = 0; i < Math.min(chunks - 1, WORKERS.length); i++) {
            if (WORKERS[i].parked) {
                LockSupport.unpark(WORKERS[i]);
            }
        }
    }

    /** Claims and runs chunks of the current job until none is left; the caller and the workers both run this. */
    private static void runChunks() {
        while (true) {
            long claim = CLAIM.get();
            int next = (int) claim & 0xFFFF;
            int chunks = (int) (claim >>> 16) & 0xFFFF;
            if (next >= chunks) {
                return;
            }
            if (!CLAIM.compareAndSet(claim, claim + 1)) {
                continue;
            }
            if (FAILURE.get() == null) {
                try {
                    jobBody.run(bound(jobN, next, chunks), bound(jobN, next + 1, chunks));
                } catch (Throwable t) {
                    FAILURE.compareAndSet(null, t);
                }
            }
            // The decrement publishes the chunk's writes to the caller, which reads UNFINISHED == 0 before returning.
            if (UNFINISHED.decrementAndGet() == 0 && callerParked) {
                LockSupport.unpark(jobCaller);
            }
        }
    }

    /** The caller, out of chunks to claim, waits for the workers' last ones: a short spin, then park. */
    private static void awaitFinished() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (UNFINISHED.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            callerParked = true;
            if (UNFINISHED.get() != 0) {
                LockSupport.park(Parallel.class);
            }
            callerParked = false;
        }
    }

    private static Worker[] startWorkers() {
        if (THREADS < 1 || THREADS > 4096) {
            throw new IllegalStateException("sae4j.threads must be in 1..4096, got " + THREADS);
        }
        Worker[] workers = new Worker[THREADS - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        return workers;
    }

    private static final class Worker extends Thread {
        /** Parked waiting for a job; Dekker-style with {@link #CLAIM}, so no wakeup is lost. */
        volatile boolean parked;

        Worker(int index) {
            super("sae4j-kernel-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                seen = awaitJob(seen);
                runChunks();
            }
        }

        /** Waits for a job other than {@code seen}: a short spin, then park. Returns its id. */
        private int awaitJob(int seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int job;
            while ((job = (int) (CLAIM.get() >>> 32)) == seen) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if ((int) (CLAIM.get() >>> 32) == seen) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            return job;
        }
    }
}
