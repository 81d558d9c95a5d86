/**
 * Evaluates saved dictionaries on held-out activations: reconstruction (MSE, explained variance in its legacy and
 * corrected forms, cosine similarity), sparsity (L0, L1, dead and dense latents, firing-frequency histogram) and, for
 * synthetic sources, recovery of the known features (MMCS). Never depends on the trainer.
 */
package org.sae4j.eval;
