package org.sae4j.trainer;

/**
 * Training was asked to stop ({@link Trainer#requestStop}: the command line does so on SIGINT or SIGTERM, a Ctrl-C
 * or a cluster scheduler's notice) and did, after the step in progress and a checkpoint of it. The message says which
 * step and checkpoint, and how to continue, in one line.
 */
public final class TrainingStoppedException extends RuntimeException {
    public TrainingStoppedException(String message) {
        super(message);
    }
}
