package org.sae4j.activations.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits as llama2.c's sampler does: temperature 0 is argmax (first maximum); otherwise
 * softmax(logits / temperature), then either plain multinomial sampling or, when {@code 0 < topP < 1}, nucleus
 * sampling over the smallest set of most likely tokens whose mass exceeds topP. Deterministic given the seed (the
 * random stream is Java's {@link SplittableRandom}, not llama2.c's xorshift, so sampled text differs from it).
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, float topP, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in [0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** Samples from {@code logits[off .. off+n)}; the array is not modified. */
    public int sample(float[] logits, int off, int n) {
        if (temperature == 0f) {
            return argmax(logits, off, n);
        }
        float[] p = new float[n]; // [vocab] probabilities
        for (int i = 0; i < n; i++) {
            p[i] = logits[off + i] / temperature;
        }
        LlamaKernels.softmax(p, n);
        float coin = (float) random.nextDouble();
        return topP <= 0 || topP >= 1 ? sampleMult(p, coin) : sampleTopP(p, coin);
    }

    static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    private static int sampleMult(float[] p, float coin) {
        float cdf = 0f;
        for (int i = 0; i < p.length; i++) {
            cdf += p[i];
            if (coin < cdf) {
                return i;
            }
        }
        return p.length - 1; // rounding left the total a hair below coin
    }

    private int sampleTopP(float[] p, float coin) {
        int n = p.length;
        // Tokens below (1 - topP)/(n - 1) can never be in the nucleus; dropping them first keeps the sort short.
        float cutoff = (1f - topP) / (n - 1);
        long[] keys = new long[n]; // probability bits (descending after sort) packed with id
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (p[i] >= cutoff) {
                // Non-negative floats order like their bit patterns; negate for a descending sort, ties by id.
                keys[m++] = ((long) -Float.floatToIntBits(p[i]) << 32) | i;
            }
        }
        Arrays.sort(keys, 0, m);
        float cumulative = 0f;
        int last = m - 1;
        for (int i = 0; i < m; i++) {
            cumulative += p[(int) keys[i]];
            if (cumulative > topP) {
                last = i;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0f;
        for (int i = 0; i <= last; i++) {
            cdf += p[(int) keys[i]];
            if (r < cdf) {
                return (int) keys[i];
            }
        }
        return (int) keys[last];
    }
}
