package org.sae4j.cli;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sae4j.trainer.TrainingStoppedException;

/**
 * Several trainings run side by side, one thread each: the SAEs of one live model pass. When one fails, the others
 * are asked to stop after their step in progress (each then checkpoints that step and says where it stopped), and
 * {@link #fitAll} returns or throws only once every one has finished, so none is interrupted in the middle of a
 * step or a checkpoint.
 */
final class SideBySide {
    private SideBySide() {
    }

    /** One training: a {@code Trainer}, or a stand-in in tests. */
    interface Run<R> {
        R fit(boolean resume) throws IOException;

        /** Asks a running {@link #fit} to stop after its step in progress; the reason goes into its stop line. */
        void requestStop(String reason);
    }

    /**
     * Runs every run to the end and returns their results in order. The failure thrown, if any, is the first in
     * order that is not a stop ({@link TrainingStoppedException}); else the first stop.
     *
     * @param names what each run trains, for the reason the others are given when it fails
     */
    static <R> List<R> fitAll(List<? extends Run<R>> runs, List<String> names, boolean resume) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(runs.size(), r -> {
            Thread t = new Thread(r, "sae4j-trainer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                Run<R> run = runs.get(i);
                String name = names.get(i);
                futures.add(pool.submit(() -> {
                    try {
                        return run.fit(resume);
                    } catch (TrainingStoppedException e) {
                        throw e; // asked to stop: whoever asked (the signal hook, a failure below) asked them all
                    } catch (IOException | RuntimeException | Error e) {
                        runs.forEach(other -> other.requestStop("the SAE of " + name + " failed"));
                        throw e;
                    }
                }));
            }
            List<R> results = new ArrayList<>();
            Exception failure = null;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(await(futures.get(i), names.get(i)));
                } catch (IOException | RuntimeException e) {
                    boolean firstNotAStop = !(e instanceof TrainingStoppedException)
                            && (failure == null || failure instanceof TrainingStoppedException);
                    if (failure == null || firstNotAStop) {
                        failure = e;
                    }
                }
            }
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure != null) {
                throw (RuntimeException) failure;
            }
            return results;
        } finally {
            pool.shutdownNow(); // every run has finished: this only ends the idle threads
        }
    }

    private static <R> R await(Future<R> f, String name) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while training " + name);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("training " + name + " failed: " + c, c);
        }
    }
}
