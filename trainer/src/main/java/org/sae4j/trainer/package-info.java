/**
 * Trains a dictionary on an activation source: the loop ({@link org.sae4j.trainer.Trainer#fit(boolean)}), its config,
 * schedules as pure functions of the step, ND4J's Adam, dead-latent bookkeeping, metrics, checkpoints that a crash
 * cannot damage and that are checked when read ({@code Checkpoint}, {@code Checkpoints}), and the divergence check.
 * docs/promises.md says what survives a crash.
 */
package org.sae4j.trainer;
