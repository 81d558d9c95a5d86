package org.sae4j.activations.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD body of {@link LlamaKernels#attentionHead}, through the Vector API: the same causal attention, with the
 * softmax's exponentials taken a vector at a time (the scalar {@code Math.exp} was about a third of the scalar
 * body's time) and each output a vector dot product over key positions.
 *
 * <p>The exponential is our own ({@link #exp}), not the Vector API's {@code EXP}: that one runs Intel's SVML once
 * C2 compiles it and {@code Math.exp} lane by lane before, which round differently, so the same row would come out
 * differently early and late in a run. Ours uses only IEEE-exact lane operations (fma, mul, add, shifts), which give
 * the same bits interpreted or compiled: the forward pass stays a pure function of its input. Loaded only when {@link LlamaKernels#SIMD}
 * is true. Sums are taken in another order than llama2.c's, so outputs differ from the scalar body in the last bits
 * ({@code AttentionKernelTest} bounds the difference; greedy decoding still reproduces llama2.c token for token).
 * About 2.5–3.5× faster than the scalar body on one 512-token sequence of stories260K's shapes here.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorAttention() {
    }

    /** As {@link LlamaKernels#attentionHead}. */
    static void attentionHead(float[] q, float[] k, float[] v, float[] out, int first, int len, int h,
                              LlamaConfig c) {
        int dim = c.dim();
        int kvDim = c.kvDim();
        int hs = c.headSize();
        int kvo = (h / c.queriesPerKvHead()) * hs;
        float invScale = (float) (1 / Math.sqrt(hs));
        float[] kt = new float[hs * len]; // [hs, len] this head's keys, transposed
        float[] vt = new float[hs * len]; // [hs, len] this head's values, transposed
        float[] scores = new float[len];  // [len] attention weights of one query
        for (int j = 0; j < len; j++) {
            int ko = (first + j) * kvDim + kvo;
            for (int i = 0; i < hs; i++) {
                kt[i * len + j] = k[ko + i];
                vt[i * len + j] = v[ko + i];
            }
        }
        for (int t = 0; t < len; t++) {
            int qo = (first + t) * dim + h * hs;
            int n = t + 1;
            // scores[j] = q·k_j / √hs, one axpy per head dimension (independent per j, so it vectorizes as is)
            float q0 = q[qo] * invScale;
            for (int j = 0; j < n; j++) {
                scores[j] = q0 * kt[j];
            }
            for (int i = 1; i < hs; i++) {
                float qi = q[qo + i] * invScale;
                int row = i * len;
                for (int j = 0; j < n; j++) {
                    scores[j] += qi * kt[row + j];
                }
            }
            float max = scores[0];
            for (int j = 1; j < n; j++) {
                max = Math.max(max, scores[j]);
            }
            float norm = 1f / expMinusMaxSum(scores, n, max);
            for (int i = 0; i < hs; i++) {
                out[qo + i] = dot(scores, vt, i * len, n) * norm;
            }
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;     // ln 2 split in two (Cody–Waite), the high part exact
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f;       // 1.5 · 2²³: adding it rounds to an integer in the low bits
    private static final int ROUNDER_BITS = 0x4B400000;   // its bit pattern

    /**
     * e^x for x ≤ 0 (softmax arguments after subtracting the max), below −87 taken as e^−87 (a normal float, ~1e-38,
     * negligible beside the max's term 1). Cephes' {@code expf}: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by its degree-6
     * polynomial, 2^n built in the exponent bits. Relative error below 1e-7 against {@code Math.exp}
     * ({@code AttentionKernelTest}).
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87f);
        FloatVector t = x.fma(FloatVector.broadcast(SPECIES, LOG2E), FloatVector.broadcast(SPECIES, ROUNDER));
        FloatVector n = t.sub(ROUNDER);                   // round(x · log2 e), as a float
        FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(SPECIES, 1.9875691500e-4f),
                FloatVector.broadcast(SPECIES, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 5.0000001201e-1f));
        p = p.mul(r.mul(r)).add(r).add(1f);               // e^r
        FloatVector twoToN = t.reinterpretAsInts().sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();                   // (n + 127) << 23 is the float 2^n
        return p.mul(twoToN);
    }

    /** {@code x[j] = exp(x[j] − max)} for j < n; returns their sum. */
    private static float expMinusMaxSum(float[] x, int n, float max) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += SPECIES.length()) {
            FloatVector e = exp(FloatVector.fromArray(SPECIES, x, j).sub(max));
            e.intoArray(x, j);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float e = (float) Math.exp(x[j] - max);
            x[j] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code Σ_j a[j] · b[bFrom + j]} for j < n. */
    private static float dot(float[] a, float[] b, int bFrom, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, a, j).fma(FloatVector.fromArray(SPECIES, b, bFrom + j), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            sum += a[j] * b[bFrom + j];
        }
        return sum;
    }
}
