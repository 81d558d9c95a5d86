package org.sae4j.dictionary.kernels;

import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Row passes over native buffers against double references on odd shapes (1e-5 relative). */
class RowOpsTest {
    private static final int ROWS = 203; // several chunks per thread, the last one short
    private static final int COLS = 37;

    @Test
    void removeParallelLeavesEachRowOrthogonalToItsUnitRow() {
        float[] w = gaussian(ROWS * COLS, 1);
        RowOps.normalizeReference(w, ROWS, COLS);
        float[] g = gaussian(ROWS * COLS, 2);
        FloatBuffer gNative = TestData.direct(g).asFloatBuffer();
        RowOps.removeParallel(gNative, TestData.direct(w).asFloatBuffer(), ROWS, COLS);
        RowOps.removeParallelReference(g, w, ROWS, COLS);
        TestData.assertClose(g, TestData.floats(gNative), 1e-5, "g − (g·w) w");
    }

    @Test
    void normalizeGivesUnitRowsAndKeepsZeroRowsZero() {
        float[] w = gaussian(ROWS * COLS, 3);
        java.util.Arrays.fill(w, 5 * COLS, 6 * COLS, 0f);
        FloatBuffer wNative = TestData.direct(w).asFloatBuffer();
        RowOps.normalize(wNative, ROWS, COLS);
        RowOps.normalizeReference(w, ROWS, COLS);
        TestData.assertClose(w, TestData.floats(wNative), 1e-5, "w / ‖w‖");
    }

    @Test
    void matVecMatchesDoubleSums() {
        float[] a = gaussian(ROWS * COLS, 4);
        float[] x = gaussian(COLS, 5);
        float[] out = new float[ROWS];
        float[] ref = new float[ROWS];
        RowOps.matVec(TestData.direct(a).asFloatBuffer(), ROWS, COLS, x, out);
        RowOps.matVecReference(a, ROWS, COLS, x, ref);
        TestData.assertClose(ref, out, 1e-5, "a·x");
    }
}
