package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Per-feature ablation against a direct computation: each document the feature fires in is rerun alone with
 * {@code f_t · W_dec[i]} subtracted at every token t where it fires, and the losses and log-probabilities compared
 * with the clean run by their definitions.
 */
class FeatureAblationTest {
    private static final double TOLERANCE = 1e-4;

    static List<Evaluated> cases() {
        return Evaluated.both();
    }

    /** Reference ablation of one feature over all documents. */
    static final class Expected {
        double deltaAtFiringSum;
        long predictingFirings;
        double klSum;
        double allPositionsSum;
        long firings;
        long documents;
        double[] logProbEffect;
        final List<double[]> deltaPerDoc = new ArrayList<>(); // [len] Δloss per position (NaN: last), null if not rerun
    }

    static Expected ablate(Evaluated e, int feature) {
        return ablate(e, feature, Integer.MAX_VALUE);
    }

    /** The reference, counting only the first {@code budget} documents the feature fires in. */
    static Expected ablate(Evaluated e, int feature, int budget) {
        int vocab = e.tokenizer.vocabSize();
        int dim = TinyModel.DIM;
        float[] w = Arrays.copyOfRange(Nio.get(e.sae.params().wDec()), feature * dim, (feature + 1) * dim);
        Expected x = new Expected();
        x.logProbEffect = new double[vocab];
        for (int d = 0; d < e.docs.size(); d++) {
            int[] doc = e.docs.get(d);
            float[][] f = e.codes.get(d);
            boolean fires = IntStream.range(0, doc.length).anyMatch(t -> f[t][feature] > 0);
            if (!fires) {
                x.deltaPerDoc.add(null);
                continue;
            }
            boolean counted = budget-- > 0;
            float[] clean = Reference.cleanLogits(e.model, doc);
            float[] ablated = Reference.logits(e.model, e.hook, doc, a -> {
                for (int t = 0; t < doc.length; t++) {
                    for (int k = 0; k < dim; k++) {
                        a[t * dim + k] -= f[t][feature] * w[k];
                    }
                }
            });
            double[] delta = new double[doc.length];
            Arrays.fill(delta, Double.NaN);
            for (int t = 0; t < doc.length; t++) {
                double[] pc = Reference.logSoftmax(clean, t, vocab);
                double[] pa = Reference.logSoftmax(ablated, t, vocab);
                if (t + 1 < doc.length) {
                    delta[t] = -pa[doc[t + 1]] + pc[doc[t + 1]];
                    x.allPositionsSum += counted ? delta[t] : 0;
                }
                if (f[t][feature] > 0 && counted) {
                    x.firings++;
                    if (t + 1 < doc.length) {
                        x.predictingFirings++;
                        x.deltaAtFiringSum += delta[t];
                    }
                    x.klSum += Reference.kl(pc, pa);
                    for (int v = 0; v < vocab; v++) {
                        x.logProbEffect[v] += pc[v] - pa[v];
                    }
                }
            }
            x.deltaPerDoc.add(delta);
            x.documents += counted ? 1 : 0;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theMostFrequentFeaturesAreAblated(Evaluated e) {
        FeatureData data = e.result.features();
        int[] expected = IntStream.range(0, data.size()).boxed()
                .filter(j -> FeatureDataTest.firings(e, j).size() > 0)
                .sorted(Comparator.comparingInt((Integer j) -> -FeatureDataTest.firings(e, j).size())
                        .thenComparingInt(j -> j))
                .limit(e.config.ablatedFeatures()).mapToInt(Integer::intValue).sorted().toArray();
        int[] actual = IntStream.range(0, data.size()).filter(j -> data.ablation(j) != null).toArray();
        assertArrayEquals(expected, actual, "ablated features");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ablationEffectsMatchADirectComputation(Evaluated e) {
        assertEffects(e, e.result, Integer.MAX_VALUE);
    }

    /** With a budget of 2 documents per feature the means cover those; top examples still get their Δloss. */
    @Test
    void aDocumentBudgetLimitsTheMeansButNotTheTopExamples() {
        Evaluated e = Evaluated.topK();
        ModelEvalConfig c = e.config;
        ModelEvalConfig budgeted = new ModelEvalConfig(c.hook(), c.contextSize(), c.batchTokens(), c.maxTokens(),
                c.ablatedFeatures(), 2, c.topExamples(), c.quantileGroups(), c.examplesPerGroup(), c.contextBefore(),
                c.contextAfter(), c.logitTokens(), c.neighbours(), c.histogramBins(), c.seed());
        ModelEvalResult r = ModelEvaluator.evaluate(e.model, e.tokenizer, e.sae, e.texts, budgeted,
                ModelEvaluator.Progress.NONE);
        assertEffects(e, r, 2);
    }

    private static void assertEffects(Evaluated e, ModelEvalResult result, int budget) {
        FeatureData data = result.features();
        int vocab = e.tokenizer.vocabSize();
        int checked = 0;
        for (int j = 0; j < data.size(); j++) {
            AblationEffect a = data.ablation(j);
            if (a == null) {
                continue;
            }
            Expected x = ablate(e, j, budget);
            String f = "feature " + j + ": ";
            assertEquals(x.documents, a.documents(), f + "documents");
            assertEquals(x.firings, a.firings(), f + "firings");
            assertEquals(x.deltaAtFiringSum / x.predictingFirings, a.deltaLossAtFiring(), TOLERANCE,
                    f + "mean Δloss where it fires");
            assertEquals(x.klSum / x.firings, a.klAtFiring(), TOLERANCE, f + "mean KL where it fires");
            assertEquals(x.allPositionsSum / x.firings, a.deltaLossPerFiring(), TOLERANCE,
                    f + "Δloss over its documents per firing");
            double[] mean = Arrays.stream(x.logProbEffect).map(v -> v / x.firings).toArray();
            Integer[] order = IntStream.range(0, vocab).boxed().sorted(Comparator.comparingDouble(v -> -mean[v]))
                    .toArray(Integer[]::new);
            for (int i = 0; i < a.upvoted().size(); i++) {
                assertEquals(mean[order[i]], a.upvoted().values()[i], TOLERANCE, f + "upvote " + i);
                assertEquals(mean[order[vocab - 1 - i]], a.downvoted().values()[i], TOLERANCE, f + "downvote " + i);
            }
            assertEquals(order[0], a.upvoted().ids()[0], f + "most upvoted token");
            assertEquals(order[vocab - 1], a.downvoted().ids()[0], f + "most downvoted token");
            // Per-token Δloss of the top examples, and their mean at the examples' own tokens.
            double topSum = 0;
            int topN = 0;
            for (Example ex : data.topExamples(j)) {
                double[] delta = x.deltaPerDoc.get(ex.doc());
                float[] diff = ex.lossDiff();
                assertNotNull(diff, f + "an ablated feature's examples carry ablate_loss_diff");
                for (int i = 0; i < diff.length; i++) {
                    double expected = delta[ex.firstPosition() + i];
                    if (Double.isNaN(expected)) {
                        assertTrue(Float.isNaN(diff[i]), f + "Δloss where nothing is predicted");
                    } else {
                        assertEquals(expected, diff[i], TOLERANCE, f + "Δloss at context token " + i);
                    }
                }
                if (!Double.isNaN(delta[ex.position()])) {
                    topSum += delta[ex.position()];
                    topN++;
                }
            }
            assertEquals(topN == 0 ? Double.NaN : topSum / topN, a.deltaLossAtTop(), TOLERANCE,
                    f + "mean Δloss at the top examples");
            checked++;
        }
        assertEquals(e.config.ablatedFeatures(), checked, "ablated features checked");
    }

    /** On the TopK SAE, whose features are sparse (the standard one's most frequent features fire from token 1 on). */
    @Test
    void ablationLeavesTokensBeforeTheFirstFiringUntouched() {
        Evaluated e = Evaluated.topK();
        FeatureData data = e.result.features();
        int checked = 0;
        for (int j = 0; j < data.size(); j++) {
            if (data.ablation(j) == null) {
                continue;
            }
            for (Example ex : data.topExamples(j)) {
                int firstFiring = IntStream.range(0, e.docs.get(ex.doc()).length)
                        .filter(t -> e.codes.get(ex.doc())[t][ex.feature()] > 0).findFirst().orElseThrow();
                float[] diff = ex.lossDiff();
                for (int i = 0; i < diff.length && ex.firstPosition() + i < firstFiring; i++) {
                    // Causal attention: nothing before the first removal can see it, to the last bit.
                    assertEquals(0f, diff[i], "feature " + j + ": Δloss before its first firing");
                    checked++;
                }
            }
        }
        assertTrue(checked > 0, "no token before a first firing was checked");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ablatingAFeatureThatNeverFiresChangesNothing(Evaluated e) {
        int dead = TinyModel.DEAD;
        FeatureData data = e.result.features();
        assertEquals(0, data.firings(dead), "the dead latent fired");
        assertNull(data.ablation(dead), "a feature that never fires is never picked for ablation");
        // Its removal f·W_dec[dead] is zero everywhere: the model's logits stay the same to the last bit.
        float[] w = Arrays.copyOfRange(Nio.get(e.sae.params().wDec()), dead * TinyModel.DIM,
                (dead + 1) * TinyModel.DIM);
        TokenBatch batch = TokenBatch.of(e.docs.subList(0, 4));
        float[] scale = new float[batch.rows()];
        for (int s = 0; s < 4; s++) {
            for (int t = 0; t < batch.length(s); t++) {
                scale[batch.offset(s) + t] = -e.codes.get(s)[t][dead];
            }
        }
        float[] clean = Nio.get(e.model.forward(batch));
        float[] ablated = Nio.get(e.model.forward(batch, Map.of(e.hook, Splice.addScaled(w, scale))));
        assertArrayEquals(clean, ablated, "logits with a never-firing feature ablated");
    }
}
