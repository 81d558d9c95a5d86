/**
 * Sources of activation vectors: synthetic superposition with known features, activation files (HDF5, .npy,
 * safetensors) streamed in chunks through a seeded shuffle, harvests written as a folder of HDF5 shards
 * ({@link org.sae4j.activations.Hdf5ShardWriter}), the filter that stops on or skips NaN/Inf rows
 * ({@link org.sae4j.activations.FiniteRows}), and (package {@code model}) the in-JVM transformer.
 */
package org.sae4j.activations;
