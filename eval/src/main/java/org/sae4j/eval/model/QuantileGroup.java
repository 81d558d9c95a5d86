package org.sae4j.eval.model;

import java.util.List;

/**
 * Examples drawn uniformly at random (reservoir sampling, seeded) from the firings whose activation lies in
 * {@code (lower, upper]}: sae_vis's activation-interval groups, which show what a feature does at weak as well as
 * strong activation.
 *
 * @param lower    interval start (exclusive)
 * @param upper    interval end (inclusive)
 * @param count    firings in the interval
 * @param examples the sample, largest activation first
 */
public record QuantileGroup(double lower, double upper, long count, List<Example> examples) {

    public QuantileGroup {
        examples = List.copyOf(examples);
    }
}
