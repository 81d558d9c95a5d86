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

    TrainingListener NONE = new TrainingListener() {
    };
}
