package org.sae4j.activations;

import org.sae4j.formats.BadInputException;

/**
 * An activation row holding NaN or ±Inf stopped the read ({@link NonFinite#STOP}). The message names the file, the
 * row and the column; its own type lets a command add how to skip such rows without reading the message.
 */
public final class NonFiniteRowException extends BadInputException {
    public NonFiniteRowException(String message) {
        super(message);
    }
}
