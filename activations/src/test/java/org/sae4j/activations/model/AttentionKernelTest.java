package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SIMD attention body against the scalar one (llama2.c's order), on odd lengths and head layouts. */
class AttentionKernelTest {

    @ParameterizedTest(name = "dim {0}, heads {1}, kv heads {2}, len {3}")
    @CsvSource({"64, 8, 4, 1", "64, 8, 4, 7", "64, 8, 4, 33", "64, 8, 4, 512", "48, 6, 6, 100", "40, 4, 2, 17",
            "96, 4, 1, 65"})
    void simdBodyMatchesTheScalarBody(int dim, int heads, int kvHeads, int len) {
        Assumptions.assumeTrue(LlamaKernels.SIMD, "the JVM runs without jdk.incubator.vector");
        LlamaConfig c = new LlamaConfig(dim, 2 * dim, 1, heads, kvHeads, 32, Math.max(len, 8), true);
        int first = 3; // the sequence starts at a row other than 0, as in a batch
        int rows = first + len;
        SplittableRandom random = new SplittableRandom(dim * 1000L + len);
        float[] q = gaussian(random, rows * dim, 2);
        float[] k = gaussian(random, rows * c.kvDim(), 2);
        float[] v = gaussian(random, rows * c.kvDim(), 1);
        float[] scalar = new float[rows * dim];
        float[] simd = new float[rows * dim];
        for (int h = 0; h < heads; h++) {
            LlamaKernels.attentionHeadScalar(q, k, v, scalar, first, len, h, c);
            VectorAttention.attentionHead(q, k, v, simd, first, len, h, c);
        }
        // Outputs are convex combinations of values of size ~1: float rounding in another order stays far below 1e-5.
        double tolerance = 1e-5;
        for (int i = 0; i < rows * dim; i++) {
            double diff = Math.abs(scalar[i] - simd[i]);
            int row = i / dim;
            assertTrue(diff <= tolerance, "row " + row + " column " + i % dim + ": scalar " + scalar[i] + ", SIMD "
                    + simd[i] + " differ by " + diff + " > " + tolerance);
        }
    }

    @org.junit.jupiter.api.Test
    void vectorExpIsWithinOneTenMillionthOfMathExp() {
        Assumptions.assumeTrue(LlamaKernels.SIMD, "the JVM runs without jdk.incubator.vector");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i <= 200_000; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                x[l] = -(i + l) * 4.3e-4f; // 0 down to −86, inside the range it serves
            }
            VectorAttention.exp(jdk.incubator.vector.FloatVector.fromArray(
                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int l = 0; l < lanes; l++) {
                double exact = Math.exp(x[l]);
                double rel = Math.abs(y[l] - exact) / exact;
                if (rel > worst) {
                    worst = rel;
                    worstAt = x[l];
                }
            }
        }
        assertTrue(worst < 1e-7, "exp(" + worstAt + ") is off by a relative " + worst + " > 1e-7");
    }

    private static float[] gaussian(SplittableRandom random, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble(1e-12, 1);
            x[i] = (float) (sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return x;
    }
}
