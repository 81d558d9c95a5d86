package org.sae4j.activations.model;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Text generation as llama2.c's {@code generate()}: the prompt is encoded from BOS, then position by position the
 * next token is the prompt's own while the prompt lasts and a sample afterwards, for {@code steps} positions in all
 * (at most the model's seqLen). It stops early when the model emits BOS (id 1), the sequence delimiter llama2.c
 * stops on; EOS does not stop it, as in llama2.c.
 *
 * <p>Each step re-runs the whole prefix through the batched forward pass (no KV cache): quadratic, but for the
 * small models this package targets (stories260K: 64 steps in well under a second) simpler to trust.
 */
public final class Generator {

    private final LlamaModel model;
    private final Tokenizer tokenizer;

    public Generator(LlamaModel model, Tokenizer tokenizer) {
        if (tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens, model "
                    + model.config().vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public Generation generate(String prompt, int steps, Sampler sampler) {
        return generate(tokenizer.encode(prompt, true, false), steps, sampler);
    }

    /** Continues {@code promptIds} (which should start with BOS). */
    public Generation generate(int[] promptIds, int steps, Sampler sampler) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (BOS)");
        }
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
                FloatBuffer logits = model.forward(TokenBatch.of(Arrays.copyOf(ids, n))).data().asNioFloat();
                logits.get(pos * vocab, last, 0, vocab);
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
