package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sae4j.activations.model.LlamaWeights;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.kernels.Nio;

/** The blocked gemm against the direct sum Σ_d W_U[t, d] · g[d] · W_dec[i, d], on the real model's unembedding. */
class DirectLogitEffectsTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void matchesTheDirectSum() {
        LlamaWeights weights = SharedData.model().weights();
        Tokenizer tok = SharedData.tokenizer();
        int dim = weights.config().dim();
        int vocab = weights.config().vocabSize();
        int dSae = 600; // more than one block of 512
        Sae sae = Sae.initialize(SaeConfig.of(dim, dSae, new Architecture.TopK(4)), 3);
        LogitEffect[] effects = DirectLogitEffects.of(sae, weights, tok, 10);
        TokenText text = new TokenText(tok);
        float[] wDec = Nio.get(sae.params().wDec());
        float[] unembed = Nio.get(weights.classifier()); // [vocab, dim]
        float[] gain = weights.rmsFinal();
        for (int i : new int[] {0, 511, 512, 599}) {
            float[] logits = new float[vocab];
            for (int t = 0; t < vocab; t++) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    s += (double) unembed[t * dim + d] * gain[d] * wDec[i * dim + d];
                }
                logits[t] = (float) s;
            }
            int[] up = Ranked.largest(logits, 0, vocab, 10, -1, 1);
            int[] down = Ranked.largest(logits, 0, vocab, 10, -1, -1);
            for (int r = 0; r < 10; r++) {
                assertEquals(logits[up[r]], effects[i].positive().get(r).value(), TOLERANCE, "feature " + i + " +" + r);
                assertEquals(logits[down[r]], effects[i].negative().get(r).value(), TOLERANCE,
                        "feature " + i + " -" + r);
            }
            assertEquals(text.of(-1, up[0]), effects[i].positive().get(0).token(), "feature " + i);
            assertEquals(text.of(-1, down[0]), effects[i].negative().get(0).token(), "feature " + i);
        }
    }
}
