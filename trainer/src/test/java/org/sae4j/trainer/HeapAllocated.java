package org.sae4j.trainer;

import java.lang.management.ManagementFactory;

/**
 * Heap allocated by the threads a training step runs on: the calling thread and the kernels' workers
 * ({@code sae4j-kernel-*}), which exist once a first step has run. (bench's {@code Probes} does the same; bench is
 * not a dependency a test may have.)
 */
final class HeapAllocated {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private HeapAllocated() {
    }

    /** The ids of the calling thread and the kernel workers alive now. */
    static long[] stepThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("sae4j-kernel-"))
                .mapToLong(Thread::getId)
                .toArray();
    }

    /** Bytes allocated so far by those threads together. */
    static long by(long[] threads) {
        long sum = 0;
        for (long id : threads) {
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }
}
