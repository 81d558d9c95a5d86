package org.sae4j.eval.model;

import java.util.Arrays;
import java.util.Map;
import org.sae4j.activations.model.Generation;
import org.sae4j.activations.model.Hook;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Sampler;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;

/**
 * Steering (Templeton et al. 2024, "feature steering"): text generated with {@code coefficient · W_dec[i]} added to
 * the hook-point activation at every non-BOS position, next to the text generated without it from the same prompt
 * with a sampler seeded alike, so any difference is the steering's doing.
 */
public final class Steering {

    /** The two continuations. */
    public record Comparison(Generation unsteered, Generation steered) {
    }

    private Steering() {
    }

    /** Generates with and without {@code coefficient · W_dec[feature]} at {@code hook}. */
    public static Comparison compare(LlamaModel model, Tokenizer tokenizer, Sae sae, HookPoint hook, int feature,
                                     float coefficient, String prompt, int steps, float temperature, float topP,
                                     long seed) {
        if (feature < 0 || feature >= sae.config().dSae()) {
            throw new BadInputException("feature " + feature + " does not exist: the SAE has features 0.."
                    + (sae.config().dSae() - 1));
        }
        if (sae.config().dIn() != model.config().dim()) {
            throw new BadInputException("the SAE has d_in = " + sae.config().dIn() + " but the model's " + hook
                    + " is " + model.config().dim() + " wide");
        }
        int[] promptIds = tokenizer.encode(prompt, true, false);
        Generation plain = generate(model, tokenizer, promptIds, steps, new Sampler(temperature, topP, seed),
                Map.of());
        Hook steer = Splice.steer(direction(sae, feature), coefficient);
        Generation steered = generate(model, tokenizer, promptIds, steps, new Sampler(temperature, topP, seed),
                Map.of(hook, steer));
        return new Comparison(plain, steered);
    }

    /** W_dec[feature], [dIn]. */
    static float[] direction(Sae sae, int feature) {
        return Nio.get(sae.params().wDec().getRow(feature).dup('c'));
    }

    /**
     * {@code Generator.generate} with hooks: the prompt (from BOS) is fed token by token, then tokens are sampled,
     * {@code steps} positions in all (at most seqLen), stopping at BOS. Every step reruns the whole prefix, so the
     * hooks act on every position each time.
     */
    static Generation generate(LlamaModel model, Tokenizer tokenizer, int[] promptIds, int steps, Sampler sampler,
                               Map<HookPoint, Hook> hooks) {
        int vocab = model.config().vocabSize();
        int limit = Math.min(steps, model.config().seqLen());
        int[] ids = Arrays.copyOf(promptIds, Math.max(limit + 1, promptIds.length));
        int n = 1;
        float[] last = new float[vocab]; // [vocab] logits of the newest position
        for (int pos = 0; pos < limit; pos++) {
            int next;
            if (pos < promptIds.length - 1) {
                next = promptIds[pos + 1];
            } else {
                Nio.floats(model.forward(TokenBatch.of(Arrays.copyOf(ids, n)), hooks)).get(pos * vocab, last, 0,
                        vocab);
                next = sampler.sample(last, 0, vocab);
            }
            if (next == Tokenizer.BOS) {
                break;
            }
            ids[n++] = next;
        }
        int[] out = Arrays.copyOf(ids, n);
        return new Generation(out, tokenizer.decode(out));
    }
}
