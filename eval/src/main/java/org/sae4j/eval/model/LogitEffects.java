package org.sae4j.eval.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.activations.model.LlamaWeights;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Each feature's direct effect on the logits: its decoder row taken through the final RMSNorm as a linear map and
 * then the unembedding, {@code e_i = W_U · (g ⊙ W_dec[i])} with g the final norm's gain (the norm's division by
 * the residual's RMS, a positive factor shared by all tokens, is left out, as sae_vis and Neuronpedia do by folding
 * the norm's gain into W_U). Only the ordering of tokens and relative sizes are meaningful.
 */
final class LogitEffects {
    private static final int CHUNK = 256;

    /** Per feature, the most promoted and the most suppressed tokens. */
    record Result(Ranked[] top, Ranked[] bottom) {
    }

    private LogitEffects() {
    }

    /** {@code wDec} [dSae, dIn], with dIn the model's width. */
    static Result compute(float[] wDec, int dSae, LlamaWeights weights, int tokens) {
        int dIn = weights.config().dim();
        int vocab = weights.config().vocabSize();
        float[] gain = weights.rmsFinal(); // [dIn]
        Ranked[] top = new Ranked[dSae];
        Ranked[] bottom = new Ranked[dSae];
        double[] row = new double[vocab];
        for (int from = 0; from < dSae; from += CHUNK) {
            int c = Math.min(CHUNK, dSae - from);
            float[] scaled = new float[c * dIn]; // [c, dIn] g ⊙ W_dec[i]
            for (int i = 0; i < c; i++) {
                for (int d = 0; d < dIn; d++) {
                    scaled[i * dIn + d] = wDec[(from + i) * dIn + d] * gain[d];
                }
            }
            INDArray a = Nd4j.create(scaled, new long[] {c, dIn}, 'c');
            INDArray e = Nd4j.create(DataType.FLOAT, c, vocab); // [c, vocab]
            Nd4j.gemm(a, weights.classifier(), e, false, true, 1.0, 0.0); // [c, dIn] · [vocab, dIn]^T
            float[] effects = Nio.get(e);
            for (int i = 0; i < c; i++) {
                for (int v = 0; v < vocab; v++) {
                    row[v] = effects[i * vocab + v];
                }
                top[from + i] = Ranked.extreme(row, 0, vocab, tokens, true);
                bottom[from + i] = Ranked.extreme(row, 0, vocab, tokens, false);
            }
        }
        return new Result(top, bottom);
    }
}
