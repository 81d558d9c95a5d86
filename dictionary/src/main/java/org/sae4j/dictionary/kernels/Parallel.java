package org.sae4j.dictionary.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a range over sae4j's own fork-join pool of {@link #threads()} workers (system property
 * {@code sae4j.threads}, default: every available processor). Not the common pool: on 2 cores its parallelism is 1
 * and an outside caller only sometimes helps, so a kernel ran on one core or two depending on a race (seen here).
 * The caller waits while the workers run the chunks.
 *
 * <p>Chunk bounds depend only on the range, the grain and the pool size, and every kernel writes disjoint outputs
 * per chunk, so results are deterministic whichever worker runs which chunk.
 */
public final class Parallel {
    /** Chunks per worker: a few, so a worker slowed by another process on its core is evened out by stealing. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int THREADS = Integer.getInteger("sae4j.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("sae4j-kernel-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** Worker threads the kernels use. */
    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) in chunks of at least 16 items. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 16, body);
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} items (work below that stays inline). */
    public static void forRange(int n, int grain, RangeBody body) {
        int chunks = (int) Math.min((long) THREADS * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || THREADS == 1) {
            body.run(0, n);
            return;
        }
        if (Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL) {
            // Nested inside a kernel's chunk: fork within the pool instead of waiting on it from a worker.
            new Chunk(body, n, chunks, 0, chunks).invoke();
        } else {
            POOL.invoke(new Chunk(body, n, chunks, 0, chunks));
        }
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final int lo;
        private final int hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run((int) ((long) n * lo / chunks), (int) ((long) n * hi / chunks));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
