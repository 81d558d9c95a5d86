/**
 * Trains a dictionary on an activation source: the loop ({@link org.sae4j.trainer.Trainer#fit()}), its config,
 * schedules as pure functions of the step, ND4J's Adam, dead-latent bookkeeping, metrics and checkpoints.
 */
package org.sae4j.trainer;
