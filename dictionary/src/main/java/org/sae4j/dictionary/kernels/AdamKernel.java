package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One Adam step over float32 arrays in native memory, fused into a single pass (read p, g, m, v; write p, m, v),
 * in ND4J's formulation (its {@code AdamUpdater}, so checkpoints of its moments carry over):
 * <pre>
 *   m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
 *   p ← p − α_t·m / (√v + ε)      α_t = lr·√(1−β2^t) / (1−β1^t)
 * </pre>
 * ND4J's own op plus {@code params.subi(update)} took three passes over 2×P floats; at P = 25M (the 16384×768 SAE)
 * this step is memory-bound, so passes are what it costs.
 *
 * <p>Buffers are little-endian views (see {@link Nio#bytes}) of n floats each. The gradient is only read.
 */
public final class AdamKernel {
    /** Floats per parallel chunk: big enough that forking is noise, small enough to balance two busy cores. */
    private static final int GRAIN = 1 << 16;

    private AdamKernel() {
    }

    /** α_t for 0-based {@code step} (t = step + 1). */
    public static float alpha(double lr, double beta1, double beta2, long step) {
        double t = step + 1.0;
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
    }

    public static void step(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int n, float alpha, float beta1,
                            float beta2, float epsilon) {
        requireFloats(p, n);
        requireFloats(g, n);
        requireFloats(m, n);
        requireFloats(v, n);
        Parallel.forRange(n, GRAIN, (from, to) -> {
            if (FloatOps.SIMD) {
                VectorFloatOps.adam(p, g, m, v, from, to, alpha, beta1, beta2, epsilon);
            } else {
                stepScalar(p, g, m, v, from, to, alpha, beta1, beta2, epsilon);
            }
        });
    }

    /** The plain body, also the reference the tests hold the SIMD body to. Elements [from, to). */
    public static void stepScalar(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int from, int to,
                                  float alpha, float beta1, float beta2, float epsilon) {
        float c1 = 1 - beta1;
        float c2 = 1 - beta2;
        for (int i = from; i < to; i++) {
            int at = 4 * i;
            float gi = g.getFloat(at);
            float mi = beta1 * m.getFloat(at) + c1 * gi;
            float vi = beta2 * v.getFloat(at) + c2 * gi * gi;
            m.putFloat(at, mi);
            v.putFloat(at, vi);
            p.putFloat(at, p.getFloat(at) - mi * alpha / ((float) Math.sqrt(vi) + epsilon));
        }
    }

    private static void requireFloats(ByteBuffer b, int n) {
        if (b.order() != ByteOrder.LITTLE_ENDIAN || b.capacity() < 4L * n) {
            throw new IllegalArgumentException("Adam buffers must be little-endian and hold " + n + " floats");
        }
    }
}
