package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sae4j.trainer.TrainingStoppedException;

/**
 * {@link SideBySide}: when one of several trainings fails, the others are asked to stop, with the failed one named,
 * and are left to finish their step and checkpoint uninterrupted before the failure is thrown; a failure outranks
 * the stops it caused; results come back in order.
 */
class SideBySideTest {

    /** Fails with {@code failure} once {@code go} opens, or returns {@code result} when there is no failure. */
    private static final class Failing implements SideBySide.Run<String> {
        final RuntimeException failure;
        final CountDownLatch go;

        Failing(RuntimeException failure, CountDownLatch go) {
            this.failure = failure;
            this.go = go;
        }

        @Override
        public String fit(boolean resume) throws IOException {
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            throw failure;
        }

        @Override
        public void requestStop(String reason) {
        }
    }

    /** Trains until asked to stop, then spends a while on its "checkpoint" and throws the stop. */
    private static final class Stoppable implements SideBySide.Run<String> {
        final CountDownLatch started = new CountDownLatch(1);
        volatile String reason;
        volatile boolean checkpointed;
        volatile boolean interrupted;

        @Override
        public String fit(boolean resume) {
            started.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reason == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            if (reason == null) {
                return "ran to the end";
            }
            try {
                Thread.sleep(200); // the checkpoint of the step in progress
                checkpointed = true;
            } catch (InterruptedException e) {
                interrupted = true;
            }
            throw new TrainingStoppedException("stopped when asked to (" + reason + ")");
        }

        @Override
        public void requestStop(String why) {
            if (reason == null) {
                reason = why;
            }
        }
    }

    @Test
    void aFailureStopsTheOthersWaitsForTheirCheckpointsAndIsThrown() {
        Stoppable second = new Stoppable();
        IllegalStateException boom = new IllegalStateException("diverged");
        Failing first = new Failing(boom, second.started);
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> SideBySide.fitAll(List.of(first, second), List.of("blocks.1", "blocks.2"), false));
        assertSame(boom, thrown, "the failure, not the stop it caused");
        assertEquals("the SAE of blocks.1 failed", second.reason);
        assertTrue(second.checkpointed, "the other finished its checkpoint before fitAll threw");
        assertFalse(second.interrupted, "and was not interrupted");
    }

    @Test
    void aFailureLaterInOrderOutranksAStopEarlierInOrder() {
        Stoppable first = new Stoppable();
        IllegalStateException boom = new IllegalStateException("bad input");
        Failing second = new Failing(boom, first.started);
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> SideBySide.fitAll(List.of(first, second), List.of("blocks.1", "blocks.2"), false));
        assertSame(boom, thrown);
        assertEquals("the SAE of blocks.2 failed", first.reason);
        assertTrue(first.checkpointed);
    }

    @Test
    void stopsAloneThrowTheFirstStop() {
        Stoppable a = new Stoppable();
        Stoppable b = new Stoppable();
        a.requestStop("a signal"); // as the signal hook does, to every run
        b.requestStop("a signal");
        TrainingStoppedException thrown = assertThrows(TrainingStoppedException.class,
                () -> SideBySide.fitAll(List.of(a, b), List.of("blocks.1", "blocks.2"), false));
        assertEquals("stopped when asked to (a signal)", thrown.getMessage());
        assertTrue(a.checkpointed && b.checkpointed);
    }

    @Test
    void resultsComeBackInOrder() throws IOException {
        SideBySide.Run<String> one = run("one");
        SideBySide.Run<String> two = run("two");
        assertEquals(List.of("one", "two"), SideBySide.fitAll(List.of(one, two), List.of("a", "b"), true));
    }

    private static SideBySide.Run<String> run(String result) {
        return new SideBySide.Run<>() {
            @Override
            public String fit(boolean resume) {
                return resume ? result : "not resumed";
            }

            @Override
            public void requestStop(String reason) {
            }
        };
    }
}
