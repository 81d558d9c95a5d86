package org.sae4j.activations.model;

/**
 * Teacher-forced next-token loss.
 *
 * @param meanNats  mean cross-entropy per predicted token, in nats
 * @param tokens    predicted tokens (each document of n tokens predicts n − 1)
 * @param documents documents evaluated
 */
public record LossResult(double meanNats, long tokens, int documents) {

    public LossResult {
        if (tokens < 0 || documents < 0) {
            throw new IllegalArgumentException("negative counts: " + tokens + " tokens, " + documents + " documents");
        }
    }
}
