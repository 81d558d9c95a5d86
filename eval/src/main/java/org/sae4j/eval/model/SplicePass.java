package org.sae4j.eval.model;

import java.util.Map;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.eval.EvalResult;
import org.sae4j.eval.ReconstructionStats;

/**
 * The first pass over the text, batch by batch: reconstruction and sparsity metrics on the SAE's inputs, the clean
 * and three spliced next-token losses with their KL divergences, and the per-feature sums of {@link FeatureStats}.
 */
final class SplicePass {
    private final LlamaModel model;
    private final HookPoint hook;
    private final int vocab;
    private final ReconstructionStats reconstruction;
    private final FeatureStats features;
    private long predicted;
    private double ceClean;
    private double ceSae;
    private double ceZero;
    private double cePlusError;
    private double klSae;
    private double klZero;
    private double klPlusError;

    SplicePass(LlamaModel model, HookPoint hook, int dSae, int topExamples) {
        this.model = model;
        this.hook = hook;
        this.vocab = model.config().vocabSize();
        this.reconstruction = new ReconstructionStats(model.config().dim(), dSae);
        this.features = new FeatureStats(dSae, topExamples);
    }

    void add(EvalBatch b) {
        Codes codes = b.codes;
        int n = b.spliced();
        int[] l0 = new int[n];
        double[] l1 = new double[n];
        for (int i = 0; i < n; i++) {
            l0[i] = codes.l0(i);
            l1[i] = codes.l1(i);
            int row = b.splicedRow[i];
            int doc = b.doc(row);
            int position = b.tokens.positionOf(row);
            for (int e = codes.start()[i]; e < codes.start()[i + 1]; e++) {
                reconstruction.fired(codes.latent()[e]);
                features.add(codes.latent()[e], codes.activation()[e], doc, position);
            }
        }
        if (n > 0) {
            reconstruction.add(b.xSpliced, codes.reconstruction(), n, l0, l1);
        }
        float[] xHat = codes.reconstruction(); // [n, dIn]
        float[] plusError = new float[xHat.length]; // x̂ + (x − x̂), in float as a splice would compute it
        for (int i = 0; i < xHat.length; i++) {
            plusError[i] = xHat[i] + (b.xSpliced[i] - xHat[i]);
        }
        float[] logitsSae = spliced(b, b.withSpliced(xHat));
        float[] logitsZero = spliced(b, b.withSpliced(new float[xHat.length]));
        float[] logitsPlusError = spliced(b, b.withSpliced(plusError));
        for (int r = 0; r < b.rows; r++) {
            if (!b.predicts(r)) {
                continue;
            }
            int next = b.tokens.token(r + 1);
            int off = r * vocab;
            double lseSae = LogProbs.logSumExp(logitsSae, off, vocab);
            double lseZero = LogProbs.logSumExp(logitsZero, off, vocab);
            double lsePlusError = LogProbs.logSumExp(logitsPlusError, off, vocab);
            predicted++;
            ceClean += LogProbs.crossEntropy(b.logits, off, b.lse[r], next);
            ceSae += LogProbs.crossEntropy(logitsSae, off, lseSae, next);
            ceZero += LogProbs.crossEntropy(logitsZero, off, lseZero, next);
            cePlusError += LogProbs.crossEntropy(logitsPlusError, off, lsePlusError, next);
            klSae += LogProbs.kl(b.logits, off, b.lse[r], logitsSae, off, lseSae, vocab);
            klZero += LogProbs.kl(b.logits, off, b.lse[r], logitsZero, off, lseZero, vocab);
            klPlusError += LogProbs.kl(b.logits, off, b.lse[r], logitsPlusError, off, lsePlusError, vocab);
        }
    }

    private float[] spliced(EvalBatch b, float[] activation) {
        return Nio.get(model.forward(b.tokens, Map.of(hook, Splice.replace(activation))));
    }

    SplicedLoss loss() {
        double n = predicted;
        return new SplicedLoss(predicted, ceClean / n, ceSae / n, ceZero / n, cePlusError / n, klSae / n, klZero / n,
                klPlusError / n);
    }

    EvalResult.Reconstruction reconstruction() {
        return reconstruction.result();
    }

    FeatureStats features() {
        return features;
    }
}
