/**
 * Kernels ND4J has no fast op for: per-row top-k selection and the sparse gather/scatter products of a TopK SAE,
 * and BatchTopK's selection over the whole batch with the nested-prefix decode of its ragged codes (Matryoshka).
 * Each fast kernel has a plain scalar reference beside it, and the tests hold the two equal on odd sizes.
 * They work on heap {@code float[]} arrays; {@link org.sae4j.dictionary.kernels.Nio} copies to and from INDArrays.
 */
package org.sae4j.dictionary.kernels;
