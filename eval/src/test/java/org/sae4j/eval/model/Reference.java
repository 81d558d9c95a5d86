package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.Hook;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Plain computations the evaluation is checked against: one document per forward pass, the SAE by its formula in
 * loops over float[], losses and divergences by their definitions. Nothing here shares code with the package under
 * test except the model itself.
 */
final class Reference {
    private Reference() {
    }

    /** The documents as the evaluation reads them: from BOS, truncated, lone-BOS documents dropped. */
    static List<int[]> documents(List<String> texts, Tokenizer tokenizer, int context) {
        List<int[]> out = new ArrayList<>();
        for (ContextWindow w : ContextWindows.build(texts, tokenizer, context, WindowPolicy.TRUNCATE)) {
            if (w.length() >= 2) {
                out.add(w.tokens());
            }
        }
        return out;
    }

    /** Activation [len, dim] at {@code hook} of one document, clean. */
    static float[] activation(LlamaModel model, HookPoint hook, int[] doc) {
        float[][] out = new float[1][];
        model.forward(TokenBatch.of(doc), Map.of(hook, (Hook) (p, a, b) -> out[0] = a.dup().data().asFloat()));
        return out[0];
    }

    /** Logits [len, vocab] of one document with {@code rewrite} (row-major [len, dim], in place) applied at the hook. */
    static float[] logits(LlamaModel model, HookPoint hook, int[] doc, java.util.function.Consumer<float[]> rewrite) {
        Hook h = (p, a, b) -> {
            float[] v = Nio.get(a);
            rewrite.accept(v);
            Nio.put(a, v);
        };
        return Nio.get(model.forward(TokenBatch.of(doc), Map.of(hook, h)));
    }

    static float[] cleanLogits(LlamaModel model, int[] doc) {
        return Nio.get(model.forward(TokenBatch.of(doc)));
    }

    /** f = act((x − b_dec)·W_enc + b_enc) for one row; TopK keeps the k largest pre-activations, then ReLU. */
    static float[] encode(Sae sae, float[] x, int off) {
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        float[] wEnc = Nio.get(sae.params().wEnc()); // [dIn, dSae]
        float[] bEnc = Nio.get(sae.params().bEnc());
        float[] bDec = Nio.get(sae.params().bDec());
        double[] pre = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            double s = bEnc[j];
            for (int d = 0; d < dIn; d++) {
                s += (x[off + d] - (sae.config().applyBDecToInput() ? bDec[d] : 0)) * (double) wEnc[d * dSae + j];
            }
            pre[j] = s;
        }
        float[] f = new float[dSae];
        if (sae.config().architecture() instanceof Architecture.TopK topK) {
            boolean[] taken = new boolean[dSae];
            for (int t = 0; t < topK.k(); t++) {
                int best = -1;
                for (int j = 0; j < dSae; j++) {
                    if (!taken[j] && (best < 0 || pre[j] > pre[best])) {
                        best = j;
                    }
                }
                taken[best] = true;
                f[best] = (float) Math.max(0, pre[best]);
            }
        } else {
            for (int j = 0; j < dSae; j++) {
                f[j] = (float) Math.max(0, pre[j]);
            }
        }
        return f;
    }

    /** x̂ = f·W_dec + b_dec. */
    static float[] decode(Sae sae, float[] f) {
        int dIn = sae.config().dIn();
        float[] wDec = Nio.get(sae.params().wDec()); // [dSae, dIn]
        float[] bDec = Nio.get(sae.params().bDec());
        float[] out = new float[dIn];
        for (int d = 0; d < dIn; d++) {
            double s = bDec[d];
            for (int j = 0; j < f.length; j++) {
                s += f[j] * (double) wDec[j * dIn + d];
            }
            out[d] = (float) s;
        }
        return out;
    }

    /** log softmax of one row, in double. */
    static double[] logSoftmax(float[] logits, int row, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[row * vocab + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[row * vocab + v] - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            out[v] = logits[row * vocab + v] - lse;
        }
        return out;
    }

    /** KL(p ‖ q) from log-probabilities. */
    static double kl(double[] logP, double[] logQ) {
        double s = 0;
        for (int v = 0; v < logP.length; v++) {
            s += Math.exp(logP[v]) * (logP[v] - logQ[v]);
        }
        return s;
    }
}
