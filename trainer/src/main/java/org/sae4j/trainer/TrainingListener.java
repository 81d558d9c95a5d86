package org.sae4j.trainer;

import java.nio.file.Path;

/** What the trainer tells its caller as it goes (the CLI draws a progress bar from it). All methods optional. */
public interface TrainingListener {
    default void started(long totalSteps, long firstStep, int batchSize) {
    }

    default void stepDone(long stepsDone, Metrics latest) {
    }

    default void checkpointed(Path dir) {
    }

    /** Something the user should know that does not stop the run (a damaged checkpoint passed over, skipped rows). */
    default void warning(String line) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
