package org.sae4j.formats;

/**
 * Input the user can fix: a missing or malformed file, a wrong dimension, NaN in the data, an unknown option value.
 * The command line prints the message as one line and exits with code 2, so the message must say what was wrong
 * and where (file, dataset, row), in words a user understands without the stack trace.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
