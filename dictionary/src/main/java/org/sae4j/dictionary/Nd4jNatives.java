package org.sae4j.dictionary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Which of nd4j-native's three CPU builds of libnd4jcpu this JVM runs. The runnable jars ship all three; javacpp
 * picks by the system property {@value #PROPERTY}, and with it unset takes the widest build packaged (AVX-512, then
 * AVX2) even on a CPU without those instructions, where libnd4jcpu then refuses to start. So {@link #select} sets it
 * from the CPU's flags, before ND4J's first use: every entry point of the jars calls it first. Why bother: ND4J's
 * Adam updater over 25 M floats took 37 ms with the AVX-512 build against 81 ms with the generic one on a Zen 5 core,
 * and 67 ms with the AVX2 build against 94 ms on a Zen 3 (the generic loop is scalar SSE).
 */
public enum Nd4jNatives {
    /** {@code linux-x86_64-avx512}: needs every one of its features. */
    AVX512("-avx512", List.of("avx", "avx2", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd")),
    /** {@code linux-x86_64-avx2}: needs every one of its features (it is compiled for AVX2 with FMA and F16C). */
    AVX2("-avx2", List.of("avx", "avx2", "fma", "f16c")),
    /** {@code linux-x86_64}: any x86-64 CPU; also what a build without the wider natives runs (tests, CUDA). */
    GENERIC("", List.of());

    /** javacpp's choice of build: {@code -avx512} or {@code -avx2} load those natives, any other value the generic. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private final String extension;
    private final List<String> features;

    Nd4jNatives(String extension, List<String> features) {
        this.extension = extension;
        this.features = features;
    }

    /** The value of {@value #PROPERTY} that loads this build. */
    public String extension() {
        return extension;
    }

    /**
     * The {@code /proc/cpuinfo} flags this build's libnd4jcpu checks at start (its isMinimalRequirementsMet) before it
     * agrees to run.
     */
    List<String> features() {
        return features;
    }

    /** As the run records and the benchmarks print it: {@code avx512}, {@code avx2} or {@code generic}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sets {@value #PROPERTY} for this CPU unless someone already did ({@code -D...=} on the command line wins, so a
     * user can force any build), and returns the build in force. Leaves the property alone where no wider natives are
     * on the classpath: there is no choice to make, and javacpp's default serves any backend (CUDA included). Takes
     * effect only before ND4J's native classes load; calling it again is harmless.
     */
    public static synchronized Nd4jNatives select() {
        Predicate<Nd4jNatives> shipped = Nd4jNatives::shipped;
        // unset, javacpp would take a wider build if one is packaged: only then is there a choice to make
        if (System.getProperty(PROPERTY) == null && inForce(null, shipped) != GENERIC) {
            System.setProperty(PROPERTY, forCpu(firstFlagsLine(Path.of("/proc/cpuinfo")), shipped).extension);
        }
        return inForce(System.getProperty(PROPERTY), shipped);
    }

    /** The build javacpp loads (or loaded) with the property as it stands now. */
    public static Nd4jNatives inForce() {
        return inForce(System.getProperty(PROPERTY), Nd4jNatives::shipped);
    }

    /**
     * The widest packaged build a CPU whose {@code /proc/cpuinfo} flags line this is can run; none (no such file): the
     * generic one.
     */
    static Nd4jNatives forCpu(Optional<String> flagsLine, Predicate<Nd4jNatives> shipped) {
        if (flagsLine.isEmpty()) {
            return GENERIC;
        }
        // "flags\t\t: fpu vme ... avx2 ... avx512f ...": whole words, so that avx2 does not stand for avx
        String line = flagsLine.get();
        List<String> flags = Arrays.asList(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
        for (Nd4jNatives build : values()) { // widest first
            if (shipped.test(build) && flags.containsAll(build.features)) {
                return build;
            }
        }
        return GENERIC;
    }

    /**
     * javacpp loads a wider build when told to by its extension and it is packaged; left unset ({@code null}), it
     * tries the packaged ones widest first (its preset lists -avx2, -avx512 and tries them from the end), whatever the
     * CPU; told anything else, or told a build that is absent, it loads the generic one.
     */
    static Nd4jNatives inForce(String property, Predicate<Nd4jNatives> shipped) {
        for (Nd4jNatives build : values()) {
            if (build != GENERIC && shipped.test(build) && (property == null || property.equals(build.extension))) {
                return build;
            }
        }
        return GENERIC;
    }

    /** The first {@code flags} line (the first CPU's; the kernel lists the same set for each), if the file exists. */
    static Optional<String> firstFlagsLine(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // absent (not Linux) or unreadable: the build that runs everywhere
        }
    }

    /** Whether this build's libnd4jcpu is packaged: the wider ones only in the two runnable jars, not in the tests. */
    private boolean shipped() {
        return this == GENERIC || Nd4jNatives.class.getClassLoader().getResource(
                "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + extension + "/libnd4jcpu.so") != null;
    }
}
