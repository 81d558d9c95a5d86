package org.sae4j.activations;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What to do with an activation row that holds NaN or ±Inf ({@link FiniteRows}). */
public enum NonFinite {
    /** Fail with a one-line error naming the file, row and column: the default, since such data is usually broken. */
    @JsonProperty("stop")
    STOP,
    /** Drop the row, read the next one in its place, and count it; the count and the first such row are reported. */
    @JsonProperty("skip")
    SKIP
}
