/**
 * The sparse autoencoder itself, independent of where activations come from: its configuration and
 * architectures, parameters (whose named tensors {@code SaeParams.layout} lists), the forward pass and the
 * hand-derived backward (checked against finite differences in the tests), and the folder formats Python tools
 * exchange: SAELens (sae4j's output; any SAELens version read) and EleutherAI's sparsify, detected by
 * {@code SaeFormat}. Kernels ND4J lacks live in {@code kernels}; {@code Nd4jNatives} picks which of ND4J's CPU
 * builds (AVX-512, AVX2 or generic) the runnable jars load.
 */
package org.sae4j.dictionary;
