package org.sae4j.dictionary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which of nd4j-native's two CPU builds of libnd4jcpu this JVM runs. The runnable jars ship both; javacpp picks by
 * the system property {@value #PROPERTY}, and with it unset takes the AVX-512 build even on a CPU without AVX-512,
 * where libnd4jcpu then refuses to start. So {@link #select} sets it from the CPU's flags, before ND4J's first use:
 * every entry point of the jars calls it first. Why bother: ND4J's Adam updater over 25 M floats took 37 ms with the
 * AVX-512 build against 81 ms with the generic one on a Zen 5 core (the generic loop is scalar SSE).
 */
public enum Nd4jNatives {
    /** {@code linux-x86_64-avx512}: needs every one of {@link #AVX512_FEATURES}. */
    AVX512("-avx512"),
    /** {@code linux-x86_64}: any x86-64 CPU; also what a build without the AVX-512 natives runs (tests, CUDA). */
    GENERIC("");

    /** javacpp's choice of build: {@code -avx512} loads the AVX-512 natives, any other value the generic ones. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

    /** What libnd4jcpu's AVX-512 build checks at start (its isMinimalRequirementsMet) before it agrees to run. */
    static final List<String> AVX512_FEATURES =
            List.of("avx", "avx2", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd");

    /** Present only where the AVX-512 natives were packaged (the two runnable jars; not the test classpaths). */
    private static final String AVX512_LIBRARY =
            "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-avx512/libnd4jcpu.so";

    private final String extension;

    Nd4jNatives(String extension) {
        this.extension = extension;
    }

    /** The value of {@value #PROPERTY} that loads this build. */
    public String extension() {
        return extension;
    }

    /** As the run records and the benchmarks print it: {@code avx512} or {@code generic}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sets {@value #PROPERTY} for this CPU unless someone already did ({@code -D...=} on the command line wins, so a
     * user can force either build), and returns the build in force. Leaves the property alone where the AVX-512
     * natives are not on the classpath: there is no choice to make, and javacpp's default serves any backend (CUDA
     * included). Takes effect only before ND4J's native classes load; calling it again is harmless.
     */
    public static synchronized Nd4jNatives select() {
        if (System.getProperty(PROPERTY) == null && avx512Shipped()) {
            System.setProperty(PROPERTY, forCpu(firstFlagsLine(Path.of("/proc/cpuinfo"))).extension);
        }
        return inForce();
    }

    /** The build javacpp loads (or loaded) with the property as it stands now. */
    public static Nd4jNatives inForce() {
        return inForce(System.getProperty(PROPERTY), avx512Shipped());
    }

    /** The build for a CPU whose {@code /proc/cpuinfo} flags line this is; none (no such file): the generic one. */
    static Nd4jNatives forCpu(Optional<String> flagsLine) {
        if (flagsLine.isEmpty()) {
            return GENERIC;
        }
        // "flags\t\t: fpu vme ... avx2 ... avx512f ...": whole words, so that avx2 does not stand for avx
        String line = flagsLine.get();
        List<String> flags = Arrays.asList(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
        return flags.containsAll(AVX512_FEATURES) ? AVX512 : GENERIC;
    }

    /**
     * javacpp loads the AVX-512 natives when told to or, unset ({@code null}), whenever they are there; told
     * anything else, or with them absent, it loads the generic ones.
     */
    static Nd4jNatives inForce(String property, boolean avx512Shipped) {
        return avx512Shipped && (property == null || property.equals(AVX512.extension)) ? AVX512 : GENERIC;
    }

    /** The first {@code flags} line (the first CPU's; the kernel lists the same set for each), if the file exists. */
    static Optional<String> firstFlagsLine(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // absent (not Linux) or unreadable: the build that runs everywhere
        }
    }

    private static boolean avx512Shipped() {
        return Nd4jNatives.class.getClassLoader().getResource(AVX512_LIBRARY) != null;
    }
}
