package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sae4j.activations.model.Generation;
import org.sae4j.activations.model.Generator;
import org.sae4j.activations.model.Hook;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Sampler;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;

class SteeringTest {
    private static final HookPoint HOOK = new HookPoint(0, HookKind.RESID_POST);
    private final Tokenizer tok = TinyModel.tokenizer();
    private final LlamaModel model = TinyModel.model(tok.vocabSize(), 1);
    private final Sae sae = TinyModel.topK(2);

    @Test
    void coefficientZeroIsPlainGenerationAndBothSidesShareTheSeed() {
        Steering.Comparison c = Steering.compare(model, tok, sae, HOOK, 3, 0f, "the cat", 30, 1.0f, 0.9f, 11);
        Generation plain = new Generator(model, tok).generate("the cat", 30, new Sampler(1.0f, 0.9f, 11));
        assertArrayEquals(plain.ids(), c.unsteered().ids(), "unsteered continuation vs Generator");
        assertArrayEquals(plain.ids(), c.steered().ids(), "coefficient 0 vs Generator");
    }

    @Test
    void greedySteeringFollowsTheSteeredModelsArgmax() {
        int feature = 5;
        float coefficient = 6f;
        Steering.Comparison c = Steering.compare(model, tok, sae, HOOK, feature, coefficient, "the sun", 24, 0f, 0f,
                0);
        // The reference: greedy decoding, every step adding coefficient · W_dec[feature] to each non-BOS row.
        float[] w = Arrays.copyOfRange(Nio.get(sae.params().wDec()), feature * TinyModel.DIM,
                (feature + 1) * TinyModel.DIM);
        Hook add = (p, a, b) -> {
            float[] v = Nio.get(a);
            for (int r = 0; r < b.rows(); r++) {
                if (b.token(r) != Tokenizer.BOS) {
                    for (int d = 0; d < w.length; d++) {
                        v[r * w.length + d] += coefficient * w[d];
                    }
                }
            }
            Nio.put(a, v);
        };
        int[] prompt = tok.encode("the sun", true, false);
        int[] ids = Arrays.copyOf(prompt, 25);
        int n = prompt.length;
        int vocab = tok.vocabSize();
        while (n < 25) { // BOS and 24 positions, as llama2.c counts steps
            float[] logits = Nio.get(model.forward(TokenBatch.of(Arrays.copyOf(ids, n)), Map.of(HOOK, add)));
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[(n - 1) * vocab + v] > logits[(n - 1) * vocab + best]) {
                    best = v;
                }
            }
            if (best == Tokenizer.BOS) {
                break;
            }
            ids[n++] = best;
        }
        assertArrayEquals(Arrays.copyOf(ids, n), c.steered().ids(), "steered greedy continuation");
        assertFalse(Arrays.equals(c.unsteered().ids(), c.steered().ids()), "steering by 6·W_dec changed nothing");
    }

    @Test
    void aFeatureOutsideTheSaeIsBadInput() {
        assertThrows(BadInputException.class,
                () -> Steering.compare(model, tok, sae, HOOK, 40, 1f, "the", 8, 0f, 0f, 0));
    }
}
