package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.LossEvaluator;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.eval.EvalResult;

/**
 * The spliced losses, KL divergences, their scores and the reconstruction metrics on the model's activations,
 * against a direct computation: one document at a time, the SAE by its formula, losses by their definitions.
 */
class SplicedLossTest {
    /** Float paths (batched gemm, the SAE's kernels) against double-precision loops. */
    private static final double TOLERANCE = 1e-4;

    static List<Evaluated> cases() {
        return Evaluated.both();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossesDivergencesAndScoresMatchADirectComputation(Evaluated e) {
        Tokenizer tok = e.tokenizer;
        LlamaModel model = e.model;
        HookPoint hook = e.hook;
        ModelEvalResult result = e.result;

        int vocab = tok.vocabSize();
        int dim = TinyModel.DIM;
        double ceClean = 0;
        double ceSae = 0;
        double ceZero = 0;
        double klSae = 0;
        double klZero = 0;
        long predicted = 0;
        double residual = 0;
        double l0 = 0;
        double cos = 0;
        long inputs = 0;
        double[] sum = new double[dim];
        double[] sumSq = new double[dim];
        for (int i = 0; i < e.docs.size(); i++) {
            int[] doc = e.docs.get(i);
            int len = doc.length;
            float[] x = e.activations.get(i);
            float[] xHat = x.clone(); // BOS (row 0) stays clean
            for (int t = 1; t < len; t++) {
                float[] f = e.codes.get(i)[t];
                float[] rec = Reference.decode(e.sae, f);
                System.arraycopy(rec, 0, xHat, t * dim, dim);
                double xx = 0;
                double hh = 0;
                double xh = 0;
                for (int d = 0; d < dim; d++) {
                    double xv = x[t * dim + d];
                    residual += (xv - rec[d]) * (xv - rec[d]);
                    xx += xv * xv;
                    hh += (double) rec[d] * rec[d];
                    xh += xv * rec[d];
                    sum[d] += xv;
                    sumSq[d] += xv * xv;
                }
                cos += xh / Math.sqrt(xx * hh);
                for (float v : f) {
                    l0 += v > 0 ? 1 : 0;
                }
                inputs++;
            }
            float[] clean = Reference.cleanLogits(model, doc);
            float[] spliced = Reference.logits(model, hook, doc, a -> System.arraycopy(xHat, dim, a, dim,
                    (len - 1) * dim));
            float[] zeroed = Reference.logits(model, hook, doc, a -> java.util.Arrays.fill(a, dim, len * dim, 0f));
            for (int t = 0; t + 1 < len; t++) {
                double[] pClean = Reference.logSoftmax(clean, t, vocab);
                double[] pSae = Reference.logSoftmax(spliced, t, vocab);
                double[] pZero = Reference.logSoftmax(zeroed, t, vocab);
                int next = doc[t + 1];
                ceClean -= pClean[next];
                ceSae -= pSae[next];
                ceZero -= pZero[next];
                klSae += Reference.kl(pClean, pSae);
                klZero += Reference.kl(pClean, pZero);
                predicted++;
            }
        }
        ceClean /= predicted;
        ceSae /= predicted;
        ceZero /= predicted;
        klSae /= predicted;
        klZero /= predicted;

        SplicedLoss loss = result.loss();
        assertEquals(predicted, loss.predictedTokens(), "predicted tokens");
        assertEquals(ceClean, loss.ceLossWithoutSae(), TOLERANCE, "ce_loss_without_sae");
        assertEquals(ceSae, loss.ceLossWithSae(), TOLERANCE, "ce_loss_with_sae");
        assertEquals(ceZero, loss.ceLossWithAblation(), TOLERANCE, "ce_loss_with_ablation");
        assertEquals(klSae, loss.klDivWithSae(), TOLERANCE, "kl_div_with_sae");
        assertEquals(klZero, loss.klDivWithAblation(), TOLERANCE, "kl_div_with_ablation");
        assertEquals((ceZero - ceSae) / (ceZero - ceClean), loss.ceLossScore(), 1e-3, "ce_loss_score");
        assertEquals((klZero - klSae) / klZero, loss.klDivScore(), 1e-3, "kl_div_score");
        assertTrue(klSae > 1e-3 && klZero > 1e-3 && Math.abs(ceZero - ceClean) > 1e-3, "a random SAE and"
                + " zero-ablation must change the model, or the comparison is vacuous: KL " + klSae + ", KL zero "
                + klZero + ", CE zero " + ceZero + " vs clean " + ceClean);

        double variance = 0;
        for (int d = 0; d < dim; d++) {
            variance += sumSq[d] - sum[d] * sum[d] / inputs;
        }
        EvalResult.Reconstruction rec = result.base().reconstruction();
        assertEquals(inputs, rec.tokens(), "SAE inputs are the non-BOS tokens");
        assertEquals(1 - residual / variance, rec.explainedVariance(), TOLERANCE, "explained_variance");
        assertEquals(residual / inputs / dim, rec.mse(), TOLERANCE * rec.mse(), "mse");
        assertEquals(l0 / inputs, rec.l0(), 1e-9, "l0");
        assertEquals(cos / inputs, rec.cosineSimilarity(), TOLERANCE, "cossim");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void splicingReconstructionPlusErrorIsTheCleanModel(Evaluated e) {
        SplicedLoss loss = e.result.loss();
        // x̂ + (x − x̂) differs from x by float rounding only, so the loss agrees to float precision.
        assertEquals(loss.ceLossWithoutSae(), loss.ceLossWithSaePlusError(), 1e-5,
                "CE with reconstruction + error spliced in vs clean");
        assertTrue(Math.abs(loss.klDivWithSaePlusError()) < 1e-8, "KL with reconstruction + error: "
                + loss.klDivWithSaePlusError());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleanLossIsTheSharedLossProtocol(Evaluated e) {
        double protocol = new LossEvaluator(e.model, e.tokenizer).evaluate(e.texts, Evaluated.CONTEXT, 5).meanNats();
        double clean = e.result.loss().ceLossWithoutSae();
        assertEquals(protocol, clean, 1e-6, "clean CE vs LossEvaluator on the same text");
    }
}
