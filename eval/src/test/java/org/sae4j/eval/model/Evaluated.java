package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Sae;

/**
 * One evaluation of a tiny model and SAE, computed once per JVM and shared by the tests that check its parts, with
 * the brute-force SAE codes of every token (by {@link Reference}) to check them against.
 */
final class Evaluated {
    static final int CONTEXT = 48;
    private static final Map<String, Evaluated> CACHE = new HashMap<>();

    final String name;
    final Tokenizer tokenizer;
    final LlamaModel model;
    final Sae sae;
    final HookPoint hook;
    final List<String> texts;
    final ModelEvalConfig config;
    final ModelEvalResult result;
    final List<int[]> docs;           // token ids per document
    final List<float[]> activations;  // [len, dim] clean activation at the hook, per document
    final List<float[][]> codes;      // [len][dSae] reference SAE codes per document (row 0, BOS: all zero)

    private Evaluated(String name, HookPoint hook, Sae sae) {
        this.name = name;
        this.tokenizer = TinyModel.tokenizer();
        this.model = TinyModel.model(tokenizer.vocabSize(), 1);
        this.sae = sae;
        this.hook = hook;
        this.texts = TinyModel.documents(12, 3);
        // batchTokens 150: several forward batches; 4 ablated features on all their documents, 4 top examples,
        // 3 intervals of 2 examples.
        this.config = new ModelEvalConfig(hook, CONTEXT, 150, 0, 4, 1000, 4, 3, 2, 3, 2, 5, 3, 8, 1);
        this.result = ModelEvaluator.evaluate(model, tokenizer, sae, texts, config, ModelEvaluator.Progress.NONE);
        this.docs = Reference.documents(texts, tokenizer, CONTEXT);
        this.activations = new ArrayList<>();
        this.codes = new ArrayList<>();
        for (int[] doc : docs) {
            float[] x = Reference.activation(model, hook, doc);
            float[][] f = new float[doc.length][];
            f[0] = new float[sae.config().dSae()];
            for (int t = 1; t < doc.length; t++) {
                f[t] = Reference.encode(sae, x, t * TinyModel.DIM);
            }
            activations.add(x);
            codes.add(f);
        }
    }

    static synchronized Evaluated topK() {
        return CACHE.computeIfAbsent("topk", k -> new Evaluated("TopK at blocks.0.hook_resid_post",
                new HookPoint(0, HookKind.RESID_POST), TinyModel.topK(2)));
    }

    static synchronized Evaluated standard() {
        return CACHE.computeIfAbsent("standard", k -> new Evaluated("standard at blocks.1.hook_mlp_out",
                new HookPoint(1, HookKind.MLP_OUT), TinyModel.standard(5)));
    }

    static List<Evaluated> both() {
        return List.of(topK(), standard());
    }

    @Override
    public String toString() {
        return name;
    }
}
