package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sae4j.formats.BadInputException;

class LlamaModelTest {

    /** Batched and alone differ only by BLAS blocking over a different row count. */
    private static final float BATCH_TOLERANCE = 1e-4f;

    private static int[] encode(String text) {
        return SharedData.tokenizer().encode(text, true, false);
    }

    private static final String[] TEXTS = {"Once upon a time, there was a little girl named Lily.",
        "The dog ran to the park.", "Tom", "She said: \"I like to play with my big red ball every day!\""};

    private static float[] floats(INDArray a) {
        return a.dup().data().asFloat();
    }

    @Test
    void batchOfRaggedSequencesEqualsEachRunAlone() {
        LlamaModel model = SharedData.model();
        int vocab = model.config().vocabSize();
        List<int[]> seqs = new ArrayList<>();
        for (String t : TEXTS) {
            seqs.add(encode(t));
        }
        TokenBatch batch = TokenBatch.of(seqs);
        float[] batched = floats(model.forward(batch)); // [rows, vocab]
        for (int s = 0; s < seqs.size(); s++) {
            float[] alone = floats(model.forward(TokenBatch.of(seqs.get(s)))); // [len, vocab]
            int off = batch.offset(s) * vocab;
            for (int i = 0; i < alone.length; i++) {
                float diff = Math.abs(alone[i] - batched[off + i]);
                if (diff > BATCH_TOLERANCE) {
                    throw new AssertionError("sequence " + s + " logit " + i + ": alone " + alone[i] + " batched "
                            + batched[off + i] + ", |diff| " + diff + " > " + BATCH_TOLERANCE);
                }
            }
        }
    }

    @Test
    void identityReplacementAtEveryPointGivesBitIdenticalLogits() {
        LlamaModel model = SharedData.model();
        TokenBatch batch = TokenBatch.of(encode(TEXTS[0]), encode(TEXTS[1]));
        float[] plain = floats(model.forward(batch));
        Map<HookPoint, Hook> hooks = new HashMap<>();
        List<HookPoint> seen = new ArrayList<>();
        for (int l = 0; l < model.config().nLayers(); l++) {
            for (HookKind kind : HookKind.values()) {
                hooks.put(new HookPoint(l, kind), (point, act, b) -> {
                    seen.add(point);
                    assertArrayEquals(new long[] {b.rows(), model.config().dim()}, act.shape());
                    act.assign(act.dup()); // read out, write the same values back
                });
            }
        }
        float[] hooked = floats(model.forward(batch, hooks));
        assertArrayEquals(plain, hooked, 0f, "identity hooks must not change a single bit");
        assertEquals(hooks.size(), seen.size(), "every hook called once");
        List<HookPoint> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen, "hooks are called in forward order");
    }

    @Test
    void zeroingResidPostChangesLogits() {
        LlamaModel model = SharedData.model();
        TokenBatch batch = TokenBatch.of(encode(TEXTS[0]));
        float[] plain = floats(model.forward(batch));
        float[] ablated = floats(model.forward(batch,
                Map.of(HookPoint.parse("blocks.2.hook_resid_post"), (p, act, b) -> act.assign(0))));
        assertFalse(Arrays.equals(plain, ablated), "zeroing the residual stream must change the logits");
    }

    @Test
    void stoppingAfterLastHookHarvestsWhatTheFullPassSees() {
        LlamaModel model = SharedData.model();
        TokenBatch batch = TokenBatch.of(encode(TEXTS[0]), encode(TEXTS[2]));
        Map<HookPoint, float[]> full = new HashMap<>();
        Map<HookPoint, float[]> early = new HashMap<>();
        HookPoint a = new HookPoint(0, HookKind.RESID_MID);
        HookPoint b = new HookPoint(2, HookKind.MLP_OUT);
        HookPoint after = new HookPoint(3, HookKind.RESID_PRE);
        model.forward(batch, Map.of(a, (p, act, x) -> full.put(p, floats(act)),
                b, (p, act, x) -> full.put(p, floats(act))));
        List<HookPoint> calledAfterStop = new ArrayList<>();
        Map<HookPoint, Hook> hooks = Map.of(a, (p, act, x) -> early.put(p, floats(act)),
                b, (p, act, x) -> early.put(p, floats(act)));
        model.runToLastHook(batch, hooks);
        assertArrayEquals(full.get(a), early.get(a), 0f);
        assertArrayEquals(full.get(b), early.get(b), 0f);
        Map<HookPoint, Hook> withLater = new HashMap<>(hooks);
        withLater.put(after, (p, act, x) -> calledAfterStop.add(p));
        model.runToLastHook(batch, withLater);
        assertEquals(List.of(after), calledAfterStop, "the last hook itself is still called");
    }

    @Test
    void hookSeesTokensAndPositionsOfItsRows() {
        LlamaModel model = SharedData.model();
        int[] s0 = encode(TEXTS[2]);
        int[] s1 = encode(TEXTS[1]);
        TokenBatch batch = TokenBatch.of(s0, s1);
        model.runToLastHook(batch, Map.of(new HookPoint(0, HookKind.RESID_PRE), (p, act, b) -> {
            assertEquals(s0.length + s1.length, b.rows());
            int r = s0.length + 3;
            assertEquals(1, b.sequenceOf(r));
            assertEquals(3, b.positionOf(r));
            assertEquals(s1[3], b.token(r));
            // resid_pre of block 0 is the token embedding row.
            float[] expected = model.weights().tokenEmbedding().getRow(s1[3]).dup().data().asFloat();
            assertArrayEquals(expected, act.getRow(r).dup().data().asFloat(), 0f);
        }));
    }

    @Test
    void hookNamesParseAndPrintInTransformerLensForm() {
        HookPoint p = HookPoint.parse("blocks.2.hook_resid_post");
        assertEquals(new HookPoint(2, HookKind.RESID_POST), p);
        assertEquals("blocks.2.hook_resid_post", p.name());
        for (HookKind k : HookKind.values()) {
            assertEquals(new HookPoint(4, k), HookPoint.parse(new HookPoint(4, k).name()));
        }
        assertThrows(BadInputException.class, () -> HookPoint.parse("blocks.x.hook_resid_post"));
        assertThrows(BadInputException.class, () -> HookPoint.parse("blocks.1.hook_resid_sideways"));
    }

    @Test
    void hookBeyondTheLastLayerIsRefused() {
        LlamaModel model = SharedData.model(); // outside assertThrows: absent data skips rather than passes
        assertThrows(IllegalArgumentException.class, () -> model.runToLastHook(TokenBatch.of(new int[] {1}),
                Map.of(new HookPoint(9, HookKind.RESID_PRE), (q, act, b) -> { })));
    }

    @Test
    void rejectsTokensOutsideVocabularyAndOverlongSequences() {
        LlamaModel model = SharedData.model();
        assertThrows(IllegalArgumentException.class, () -> model.forward(TokenBatch.of(new int[] {1, 512})));
        assertThrows(IllegalArgumentException.class, () -> model.forward(TokenBatch.of(new int[513])));
        assertTrue(model.config().parameterCount() == 260_032L, "stories260K has 260,032 parameters");
    }
}
