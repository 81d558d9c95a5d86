package org.sae4j.trainer;

/**
 * Training produced a NaN or infinite loss, gradient or parameter. Nothing from the diverged steps is saved: the last
 * checkpoint (if any) is the last good state. The message says at which step, what diverged, which checkpoint is
 * intact and what to try, in one line; the command line prints it and exits with its own code.
 */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
