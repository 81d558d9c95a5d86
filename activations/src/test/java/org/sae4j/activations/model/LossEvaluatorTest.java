package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossEvaluatorTest {

    /** The first paragraphs of the held-out file keep the test fast; the full file is measured in LossReport. */
    private static final int DOCUMENTS = 200;

    @Test
    void heldOutLossIsInTheRangeTheModelAuthorsReport() throws IOException {
        List<String> docs = Corpus.read(SharedData.file("tinystories-valid-head.txt"), CorpusFormat.BLANK_LINES);
        LossEvaluator eval = new LossEvaluator(SharedData.model(), SharedData.tokenizer());
        LossResult r = eval.evaluate(docs.subList(0, DOCUMENTS), 512, 16);
        System.out.printf("teacher-forced loss on %d documents: %.4f nats/token over %d tokens%n",
                r.documents(), r.meanNats(), r.tokens());
        assertEquals(DOCUMENTS, r.documents());
        assertTrue(r.meanNats() > 1.0 && r.meanNats() < 1.7,
                "mean loss " + r.meanNats() + " outside [1.0, 1.7] (README: about 1.2-1.5 nats/token)");
    }

    @Test
    void lossMatchesAHandComputedSum() {
        LlamaModel model = SharedData.model();
        Tokenizer tok = SharedData.tokenizer();
        String doc = "The cat sat on the mat.";
        int[] ids = tok.encode(doc, true, false);
        TokenBatch one = TokenBatch.of(ids);
        float[] logits = model.forward(one).data().asFloat(); // [len, vocab]
        double sum = 0;
        int vocab = model.config().vocabSize();
        for (int t = 0; t + 1 < ids.length; t++) {
            float[] row = java.util.Arrays.copyOfRange(logits, t * vocab, (t + 1) * vocab);
            sum += LossEvaluator.crossEntropy(row, ids[t + 1]);
        }
        LossResult r = new LossEvaluator(model, tok).evaluate(List.of(doc), 512, 4, Map.of());
        assertEquals(ids.length - 1, r.tokens());
        assertEquals(sum / (ids.length - 1), r.meanNats(), 1e-9, "tolerance 1e-9 nats (same float logits)");
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogVocab() {
        assertEquals(Math.log(4), LossEvaluator.crossEntropy(new float[] {3f, 3f, 3f, 3f}, 2), 1e-12);
    }
}
