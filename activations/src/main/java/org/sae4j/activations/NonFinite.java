package org.sae4j.activations;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import org.sae4j.formats.BadInputException;

/** What to do with an activation row that holds NaN or ±Inf ({@link FiniteRows}). */
public enum NonFinite {
    /** Fail with a one-line error naming the file, row and column: the default, since such data is usually broken. */
    @JsonProperty("stop")
    STOP,
    /** Drop the row, read the next one in its place, and count it; the count and the first such row are reported. */
    @JsonProperty("skip")
    SKIP;

    /** The policy a command-line value names, as in the JSON: "stop" or "skip". */
    public static NonFinite named(String name) {
        for (NonFinite policy : values()) {
            if (policy.name().toLowerCase(Locale.ROOT).equals(name)) {
                return policy;
            }
        }
        throw new BadInputException("--non-finite-inputs must be stop or skip, got '" + name + "'");
    }
}
