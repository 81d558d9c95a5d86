package org.sae4j.bench;

/**
 * JVM flags for every JMH fork: the Vector API module (the SIMD kernel bodies), room for the big shapes on and off
 * the heap, and ND4J quiet. {@code OPENBLAS_CORETYPE} is an environment variable, inherited by the fork from
 * {@code bench/jmh.sh}.
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
