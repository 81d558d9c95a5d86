package org.sae4j.activations.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean teacher-forced next-token cross-entropy, the protocol of the data README: each document encoded from BOS,
 * truncated to {@code maxTokens}, every position predicting the next; the mean is over all predicted tokens of all
 * documents (token-weighted). With hooks it measures a spliced model (e.g. an SAE reconstruction in place of
 * resid_post), the basis of the "CE loss recovered" metric.
 */
public final class LossEvaluator {

    private final LlamaModel model;
    private final Tokenizer tokenizer;

    public LossEvaluator(LlamaModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public LossResult evaluate(List<String> documents, int maxTokens, int batchSize) {
        return evaluate(documents, maxTokens, batchSize, Map.of());
    }

    public LossResult evaluate(List<String> documents, int maxTokens, int batchSize, Map<HookPoint, Hook> hooks) {
        if (maxTokens < 2 || maxTokens > model.config().seqLen()) {
            throw new IllegalArgumentException("maxTokens must be in [2, " + model.config().seqLen() + "], got "
                    + maxTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        List<ContextWindow> windows =
                ContextWindows.build(documents, tokenizer, maxTokens, WindowPolicy.TRUNCATE, true);
        double nats = 0;
        long tokens = 0;
        for (int from = 0; from < windows.size(); from += batchSize) {
            List<ContextWindow> chunk = windows.subList(from, Math.min(windows.size(), from + batchSize));
            TokenBatch batch = ContextWindows.batch(new ArrayList<>(chunk));
            INDArray logits = model.forward(batch, hooks); // [rows, vocab]
            nats += sumNextTokenLoss(batch, logits.data().asNioFloat(), model.config().vocabSize());
            tokens += batch.rows() - batch.size();
        }
        return new LossResult(tokens == 0 ? Double.NaN : nats / tokens, tokens, windows.size());
    }

    /** Σ over every position but each sequence's last of −log softmax(logits[row])[next token]. */
    static double sumNextTokenLoss(TokenBatch batch, FloatBuffer logits, int vocab) {
        float[] row = new float[vocab]; // [vocab]
        double sum = 0;
        for (int s = 0; s < batch.size(); s++) {
            int first = batch.offset(s);
            for (int t = 0; t + 1 < batch.length(s); t++) {
                logits.get((first + t) * vocab, row, 0, vocab);
                sum += crossEntropy(row, batch.token(first + t + 1));
            }
        }
        return sum;
    }

    /** −log softmax(logits)[target], computed as logsumexp − logit in double. */
    static double crossEntropy(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum) - logits[target];
    }
}
