package org.sae4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the comparison and profiling mains read of the process: CPU time, heap allocation, resident set; and flags. */
final class Probes {
    // Read once: looking the bean up allocates, which would count against the step being measured.
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Probes() {
    }

    /** CPU time of the whole process (every thread, native ones included), in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** Heap bytes allocated so far by every live thread (the kernels' workers included). */
    static long allocatedBytes() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    /** The threads a step runs on: this one and the kernels' workers ({@code sae4j-kernel-N}). It allocates. */
    static long[] stepThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("sae4j-kernel-"))
                .mapToLong(Thread::getId)
                .toArray();
    }

    /** Heap bytes allocated so far by the given threads; the reading itself allocates nothing. */
    static long allocatedBytes(long[] threadIds) {
        long sum = 0;
        for (long id : threadIds) {
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /** A line of /proc/self/status in KiB: {@code VmRSS:} now, {@code VmHWM:} the peak; −1 if absent. */
    static long rssKb(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The value after {@code name} in {@code args}, or {@code fallback}. */
    static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
