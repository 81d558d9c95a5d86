package org.sae4j.formats;

/**
 * Whether the SIMD kernel bodies run: when the JVM has {@code jdk.incubator.vector} (the launcher adds it) and
 * {@code -Dsae4j.simd=false} is not set. One rule for the SAE kernels ({@code dictionary.kernels.FloatOps}), the
 * model's attention and the synthetic source, so one property turns them all off; each keeps a plain body beside.
 */
public final class Simd {
    public static final boolean ENABLED = !"false".equals(System.getProperty("sae4j.simd"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Simd() {
    }
}
