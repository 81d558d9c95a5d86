/**
 * Measurements, never assertions: JMH benchmarks of each kernel beside its dense or memory-bound baseline, the whole
 * TopK training step beside its floor (the encoder GEMM), and {@link org.sae4j.bench.CompareStep}, the Java half of
 * {@code bench/compare.sh}. Shapes are {@link org.sae4j.bench.Shape} strings, {@code N:dIn:dSae:k}.
 */
package org.sae4j.bench;
