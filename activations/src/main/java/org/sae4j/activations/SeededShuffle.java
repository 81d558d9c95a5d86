package org.sae4j.activations;

import java.util.SplittableRandom;

/**
 * The seeded permutations the shuffling sources are built from: Fisher–Yates over {@link SplittableRandom}, seeded
 * by a SplitMix64 hash of (seed, epoch, block) so that every block of every epoch has its own unrelated stream and
 * any one can be recomputed alone (which is what makes a cursor seekable).
 */
public final class SeededShuffle {
    private SeededShuffle() {
    }

    /** Fills {@code p[0..len)} with a Fisher–Yates shuffle of {@code 0..len-1}. */
    public static void permutation(int[] p, int len, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < len; i++) {
            p[i] = i;
        }
        for (int i = len - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /** SplitMix64-style hash of (seed, epoch, block): nearby inputs give unrelated random streams. */
    public static long mix(long seed, long epoch, long block) {
        return splitMix(splitMix(splitMix(seed) ^ epoch) ^ block);
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
