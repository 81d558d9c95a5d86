package org.sae4j.eval.report;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.activations.model.LlamaWeights;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;

/**
 * The direct path of each feature's decoder row to the logits, as sae_vis and Neuronpedia show it:
 * {@code W_U · (g ⊙ W_dec[i])} with {@code g} the final RMSNorm gain. The norm's division by the residual's RMS is
 * left out (the linear approximation: it scales all of a token's logits alike, so the ranking is unchanged).
 */
public final class DirectLogitEffects {
    private static final int BLOCK = 512; // features per gemm: [BLOCK, vocab] floats

    private DirectLogitEffects() {
    }

    /** The {@code n} most positive and most negative tokens of every feature. */
    public static LogitEffect[] of(Sae sae, LlamaWeights weights, Tokenizer tokenizer, int n) {
        int dSae = sae.config().dSae();
        int dim = weights.config().dim();
        int vocab = weights.config().vocabSize();
        if (sae.config().dIn() != dim) {
            throw new BadInputException("the SAE reads d_in = " + sae.config().dIn() + " but the model's residual"
                    + " stream has width " + dim);
        }
        float[] wDec = Nio.get(sae.params().wDec()); // [dSae, dim]
        float[] gain = weights.rmsFinal();            // [dim]
        TokenText text = new TokenText(tokenizer);
        LogitEffect[] out = new LogitEffect[dSae];
        for (int start = 0; start < dSae; start += BLOCK) {
            int rows = Math.min(BLOCK, dSae - start);
            float[] scaled = new float[rows * dim]; // [rows, dim] g ⊙ W_dec[i]
            for (int r = 0; r < rows; r++) {
                for (int d = 0; d < dim; d++) {
                    scaled[r * dim + d] = wDec[(start + r) * dim + d] * gain[d];
                }
            }
            INDArray logits = Nd4j.create(DataType.FLOAT, rows, vocab); // [rows, vocab]
            Nd4j.gemm(Nd4j.createFromArray(scaled).reshape('c', rows, dim), weights.classifier(), logits, false,
                    true, 1.0, 0.0);
            float[] l = Nio.get(logits);
            for (int r = 0; r < rows; r++) {
                out[start + r] = new LogitEffect(ranked(l, r * vocab, vocab, n, 1, text),
                        ranked(l, r * vocab, vocab, n, -1, text));
            }
        }
        return out;
    }

    private static List<TokenValue> ranked(float[] logits, int from, int vocab, int n, int sign, TokenText text) {
        List<TokenValue> out = new ArrayList<>(n);
        for (int t : Ranked.largest(logits, from, vocab, n, -1, sign)) {
            out.add(new TokenValue(text.of(-1, t), logits[from + t]));
        }
        return out;
    }
}
