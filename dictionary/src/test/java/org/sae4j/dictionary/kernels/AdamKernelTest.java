package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The fused Adam step: its SIMD and scalar bodies agree bitwise (same operations per element), and three steps
 * match ND4J's own Adam updater, whose formulation and moment layout it keeps (1e-5 relative).
 */
class AdamKernelTest {
    private static final int N = 1000 * 3 + 7; // not a multiple of the vector width
    private static final float LR = 1e-2f;
    private static final float B1 = 0.9f;
    private static final float B2 = 0.999f;
    private static final float EPS = 1e-8f;

    @Test
    void simdAndScalarBodiesAgreeBitwise() {
        float[] p = gaussian(N, 1);
        float[] g = gaussian(N, 2);
        float[] m = gaussian(N, 3);
        float[] v = gaussian(N, 4);
        for (int i = 0; i < N; i++) {
            v[i] = v[i] * v[i];
        }
        ByteBuffer[] a = {TestData.direct(p), TestData.direct(g), TestData.direct(m), TestData.direct(v)};
        ByteBuffer[] b = {TestData.direct(p), TestData.direct(g), TestData.direct(m), TestData.direct(v)};
        float alpha = AdamKernel.alpha(LR, B1, B2, 4);
        AdamKernel.step(a[0], a[1], a[2], a[3], N, alpha, B1, B2, EPS);
        AdamKernel.stepScalar(b[0], b[1], b[2], b[3], 0, N, alpha, B1, B2, EPS);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(TestData.floats(b[i]), TestData.floats(a[i]), "buffer " + "pgmv".charAt(i));
        }
    }

    @Test
    void matchesNd4jAdamOverThreeSteps() {
        float[] p0 = gaussian(N, 5);
        ByteBuffer p = TestData.direct(p0);
        ByteBuffer m = TestData.direct(new float[N]);
        ByteBuffer v = TestData.direct(new float[N]);

        INDArray ndParams = Nd4j.createFromArray(p0).reshape(1, N);
        Adam config = Adam.builder().learningRate(LR).beta1(B1).beta2(B2).epsilon(EPS).build();
        INDArray state = Nd4j.create(DataType.FLOAT, 1, 2L * N);
        GradientUpdater<?> nd4j = config.instantiate(state, true);

        for (int step = 0; step < 3; step++) {
            float[] g = gaussian(N, 10 + step);
            AdamKernel.step(p, TestData.direct(g), m, v, N, AdamKernel.alpha(LR, B1, B2, step), B1, B2, EPS);
            INDArray update = Nd4j.createFromArray(g).reshape(1, N);
            nd4j.applyUpdater(update, step, 0);
            ndParams.subi(update);
        }
        TestData.assertClose(ndParams.toFloatVector(), TestData.floats(p), 1e-5, "params");
        TestData.assertClose(state.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, N)).toFloatVector(),
                TestData.floats(m), 1e-5, "first moment (state[0, 0:N])");
        TestData.assertClose(state.get(NDArrayIndex.point(0), NDArrayIndex.interval(N, 2 * N)).toFloatVector(),
                TestData.floats(v), 1e-5, "second moment (state[0, N:2N])");
    }
}
