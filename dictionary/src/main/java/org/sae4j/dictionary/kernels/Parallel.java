package org.sae4j.dictionary.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a range of rows over the common fork-join pool. Chunks are contiguous and their bounds depend only on the
 * range and the pool size, and every kernel writes disjoint outputs per chunk, so results are deterministic.
 */
public final class Parallel {
    /** Work below this many rows runs on the calling thread; forking costs more than it saves. */
    private static final int MIN_CHUNK = 16;

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    public static void forRange(int n, RangeBody body) {
        int chunks = Math.min(ForkJoinPool.getCommonPoolParallelism() * 4, Math.max(1, n / MIN_CHUNK));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        ForkJoinPool.commonPool().invoke(new Chunk(body, n, chunks, 0, chunks));
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
