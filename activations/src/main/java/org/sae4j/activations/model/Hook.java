package org.sae4j.activations.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Called by {@link LlamaModel} when the forward pass reaches a hooked point. {@code activation} is the live buffer
 * [batch.rows(), dim] (row r is token {@code batch.token(r)} at {@code batch.positionOf(r)} of sequence
 * {@code batch.sequenceOf(r)}): read it to harvest, write it in place (assign, muli, ...) to splice an SAE
 * reconstruction, ablate or steer; the rest of the pass uses what the hook left there. It is valid only during the
 * call: copy what must outlive it.
 */
@FunctionalInterface
public interface Hook {

    void onActivation(HookPoint point, INDArray activation, TokenBatch batch);

    /** This hook, then {@code next} on what this one left. */
    default Hook andThen(Hook next) {
        return (point, activation, batch) -> {
            onActivation(point, activation, batch);
            next.onActivation(point, activation, batch);
        };
    }
}
