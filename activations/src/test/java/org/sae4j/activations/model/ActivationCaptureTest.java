package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Captured rows are exactly (tolerance 0) the hooked activations of the masked positions of the same batch; split
 * into other batches they agree to the model's batching tolerance (GEMM blocking depends on the row count).
 */
class ActivationCaptureTest {

    private static final List<String> TEXTS = List.of("Once upon a time there was a cat.",
            "Lily and Tom went to the park. They played with a red ball all day.", "The end.");

    @Test
    void capturedRowsAreTheHookedActivationsOfNonBosPositions() {
        LlamaModel model = SharedData.model();
        Tokenizer tok = SharedData.tokenizer();
        HookPoint resid = new HookPoint(2, HookKind.RESID_POST);
        HookPoint mlp = new HookPoint(1, HookKind.MLP_OUT);
        List<ContextWindow> windows = ContextWindows.build(TEXTS, tok, 64, WindowPolicy.TRUNCATE);
        int dim = model.config().dim();

        ActivationCapture.Rows rows = new ActivationCapture(model, List.of(resid, mlp), 1 << 20).run(windows);

        TokenBatch batch = ContextWindows.batch(windows);
        float[][] expected = new float[2][];
        model.forward(batch, Map.of(
                resid, (p, act, b) -> expected[0] = act.dup().data().asFloat(),
                mlp, (p, act, b) -> expected[1] = act.dup().data().asFloat()));
        int bos = 0;
        int row = 0;
        for (int w = 0; w < windows.size(); w++) {
            int[] ids = windows.get(w).tokens();
            for (int p = 0; p < ids.length; p++) {
                if (ids[p] == Tokenizer.BOS) {
                    bos++;
                    continue;
                }
                int batchRow = batch.offset(w) + p;
                assertEquals(ids[p], rows.tokenIds()[row], "token of row " + row);
                assertEquals(p, rows.positions()[row], "position of row " + row);
                assertEquals(w, rows.windows()[row], "window of row " + row);
                for (int h = 0; h < 2; h++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(expected[h], batchRow * dim, (batchRow + 1) * dim),
                            java.util.Arrays.copyOfRange(rows.activations().get(h), row * dim, (row + 1) * dim), 0f,
                            "hook " + h + " row " + row);
                }
                row++;
            }
        }
        assertEquals(3, bos, "each document opens with BOS, and none is harvested");
        assertEquals(row, rows.count());
    }

    @Test
    void otherBatchingAgreesToRounding() {
        LlamaModel model = SharedData.model();
        List<ContextWindow> windows = ContextWindows.build(TEXTS, SharedData.tokenizer(), 7, WindowPolicy.PACK);
        HookPoint p = new HookPoint(3, HookKind.RESID_MID);
        ActivationCapture.Rows whole = new ActivationCapture(model, List.of(p), 1 << 20).run(windows);
        ActivationCapture.Rows pieces = new ActivationCapture(model, List.of(p), 10).run(windows); // 1 window a pass
        assertArrayEquals(whole.activations().get(0), pieces.activations().get(0), 1e-4f,
                "tolerance 1e-4 as LlamaModelTest's batched-vs-alone");
        assertArrayEquals(whole.tokenIds(), pieces.tokenIds());
    }
}
