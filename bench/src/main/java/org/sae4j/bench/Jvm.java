package org.sae4j.bench;

/**
 * JVM flags for every JMH fork: the Vector API module (the SIMD kernel bodies), room for the big shapes on and off
 * the heap, and ND4J quiet. {@code OPENBLAS_CORETYPE} is an environment variable, inherited by the fork from
 * {@code bench/jmh.sh}. Which ND4J natives a fork loads depends on its CPU, so no flag here can say: each benchmark
 * class calls {@code Nd4jNatives.select()} in its static initializer instead (a new benchmark must too).
 */
final class Jvm {
    static final String ADD_MODULES = "--add-modules";
    static final String VECTOR = "jdk.incubator.vector";
    static final String HEAP = "-Xmx8g";
    static final String OFF_HEAP = "-Dorg.bytedeco.javacpp.maxbytes=12g";
    static final String QUIET = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";

    private Jvm() {
    }
}
