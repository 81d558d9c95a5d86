package org.sae4j.activations.model;

import java.util.Arrays;
import org.sae4j.formats.Simd;

/**
 * The per-row stages of the Llama forward pass as plain loops over row-major {@code float[]}, written to match
 * llama2.c's {@code run.c} operation for operation (float accumulation in the same order), which is what lets greedy
 * decoding reproduce the reference token for token.
 */
final class LlamaKernels {

    static final float RMS_EPS = 1e-5f;

    /** Whether attention takes its SIMD body ({@link VectorAttention}): {@link Simd#ENABLED}. */
    static final boolean SIMD = Simd.ENABLED;

    private LlamaKernels() {
    }

    /** {@code out[r] = x[r] / sqrt(mean(x[r]²) + 1e-5) ⊙ w} for each of {@code rows} rows of width {@code w.length}. */
    static void rmsnorm(float[] x, float[] w, float[] out, int rows) {
        int d = w.length;
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float ss = 0f;
            for (int j = 0; j < d; j++) {
                ss += x[o + j] * x[o + j];
            }
            ss /= d;
            ss += RMS_EPS;
            ss = 1.0f / (float) Math.sqrt(ss);
            for (int j = 0; j < d; j++) {
                out[o + j] = w[j] * (ss * x[o + j]);
            }
        }
    }

    /**
     * RoPE tables as llama2.c computes them: pair i of a head at position pos turns by {@code pos · 10000^(−2i/hs)}.
     *
     * @return {cos, sin}, each [seqLen, headSize/2]
     */
    static float[][] ropeTables(int seqLen, int headSize) {
        int half = headSize / 2;
        float[] cos = new float[seqLen * half]; // [seqLen, headSize/2]
        float[] sin = new float[seqLen * half]; // [seqLen, headSize/2]
        for (int i = 0; i < half; i++) {
            float freq = 1.0f / (float) Math.pow(10000.0, (float) (2 * i) / (float) headSize);
            for (int pos = 0; pos < seqLen; pos++) {
                float val = pos * freq;
                cos[pos * half + i] = (float) Math.cos(val);
                sin[pos * half + i] = (float) Math.sin(val);
            }
        }
        return new float[][] {cos, sin};
    }

    /** Rotates each adjacent pair of each head of one row {@code v[off .. off+width)} to position {@code pos}. */
    static void rope(float[] v, int off, int width, int headSize, int pos, float[] cos, float[] sin) {
        int half = headSize / 2;
        for (int i = 0; i < width; i += 2) {
            int t = pos * half + (i % headSize) / 2;
            float fcr = cos[t];
            float fci = sin[t];
            float v0 = v[off + i];
            float v1 = v[off + i + 1];
            v[off + i] = v0 * fcr - v1 * fci;
            v[off + i + 1] = v0 * fci + v1 * fcr;
        }
    }

    /**
     * Causal attention of query head {@code h} over one sequence occupying rows {@code [first, first+len)}; the head
     * reads key/value head {@code h / (nHeads/nKvHeads)}, scores scaled by 1/sqrt(headSize). The SIMD body when
     * {@link #SIMD}, else the scalar one. In the scalar body each score and output sum is accumulated in llama2.c's
     * order; the keys are transposed to [hs, len] first so that the loop over key
     * positions is innermost, independent per position, and vectorizes (a dot product of 8 is a latency chain).
     *
     * @param q   [rows, nHeads·hs]
     * @param k   [rows, kvDim]
     * @param v   [rows, kvDim]
     * @param out [rows, nHeads·hs], written for this head and sequence
     */
    static void attentionHead(float[] q, float[] k, float[] v, float[] out, int first, int len, int h,
                              LlamaConfig c) {
        if (SIMD) {
            VectorAttention.attentionHead(q, k, v, out, first, len, h, c);
        } else {
            attentionHeadScalar(q, k, v, out, first, len, h, c);
        }
    }

    /** The scalar body of {@link #attentionHead}, in llama2.c's order; the reference for {@link VectorAttention}. */
    static void attentionHeadScalar(float[] q, float[] k, float[] v, float[] out, int first, int len, int h,
                                    LlamaConfig c) {
        int dim = c.dim();
        int kvDim = c.kvDim();
        int hs = c.headSize();
        int kvo = (h / c.queriesPerKvHead()) * hs;
        float scale = (float) Math.sqrt(hs);
        float[] kt = new float[hs * len]; // [hs, len] this head's keys, transposed
        float[] vh = new float[len * hs]; // [len, hs] this head's values
        float[] scores = new float[len];  // [len] attention weights of one query
        float[] acc = new float[hs];      // [hs] output of one query (a local array keeps it out of `out`'s way)
        for (int j = 0; j < len; j++) {
            int ko = (first + j) * kvDim + kvo;
            for (int i = 0; i < hs; i++) {
                kt[i * len + j] = k[ko + i];
                vh[j * hs + i] = v[ko + i];
            }
        }
        for (int t = 0; t < len; t++) {
            int qo = (first + t) * dim + h * hs;
            int n = t + 1;
            Arrays.fill(scores, 0, n, 0f);
            for (int i = 0; i < hs; i++) {
                float qi = q[qo + i];
                int row = i * len;
                for (int j = 0; j < n; j++) {
                    scores[j] += qi * kt[row + j];
                }
            }
            for (int j = 0; j < n; j++) {
                scores[j] /= scale;
            }
            softmax(scores, n);
            Arrays.fill(acc, 0f);
            for (int j = 0; j < n; j++) {
                float a = scores[j];
                int vo = j * hs;
                for (int i = 0; i < hs; i++) {
                    acc[i] += a * vh[vo + i];
                }
            }
            System.arraycopy(acc, 0, out, qo, hs);
        }
    }

    /** In-place softmax of {@code x[0 .. n)}, max-subtracted. */
    static void softmax(float[] x, int n) {
        float max = x[0];
        for (int i = 1; i < n; i++) {
            if (x[i] > max) {
                max = x[i];
            }
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < n; i++) {
            x[i] /= sum;
        }
    }

    /** {@code gate[i] = silu(gate[i]) · up[i]} over the first {@code n} values. */
    static void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            g *= 1.0f / (1.0f + (float) Math.exp(-g));
            gate[i] = g * up[i];
        }
    }
}
