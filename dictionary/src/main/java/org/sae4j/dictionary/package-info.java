/**
 * The sparse autoencoder itself, independent of where activations come from: its configuration and
 * architectures, parameters, the forward pass and the hand-derived backward (checked against finite differences in
 * the tests), and save/load in the SAELens v6 folder format. Kernels ND4J lacks live in {@code kernels}.
 */
package org.sae4j.dictionary;
