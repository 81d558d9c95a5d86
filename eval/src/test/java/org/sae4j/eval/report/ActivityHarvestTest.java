package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.Corpus;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.kernels.Nio;

/**
 * The harvest on the real stories260K model with a random TopK SAE: its bookkeeping is consistent, and its examples
 * are right, checked against the model run on the example's document alone and the SAE applied to that one row.
 */
class ActivityHarvestTest {
    /** The same row computed in a batch of 4 documents or of 1: float32 sums in a different order. */
    private static final double ACT_TOLERANCE = 1e-3;
    private static final HookPoint HOOK = HookPoint.parse("blocks.2.hook_resid_post");
    private static final int K = 4;
    private static final ActivityHarvest.Settings SETTINGS = new ActivityHarvest.Settings(64, 2000, 4, 5, 3, 2, 6,
            3, 8, 0);

    private static List<String> documents;
    private static Sae sae;
    private static ActivityHarvest.Result result;
    private static TokenText text;

    @BeforeAll
    static void harvest() throws IOException {
        documents = Corpus.read(SharedData.file("tinystories-valid-head.txt")).subList(0, 60);
        text = new TokenText(SharedData.tokenizer());
        sae = Sae.initialize(SaeConfig.of(64, 96, new Architecture.TopK(K)), 5);
        result = ActivityHarvest.run(SharedData.model(), SharedData.tokenizer(), HOOK, sae, documents, SETTINGS,
                t -> { });
    }

    @Test
    void countsAddUp() {
        assertTrue(result.tokens() >= SETTINGS.maxTokens(), "read at least maxTokens: " + result.tokens());
        long firings = 0;
        for (int j = 0; j < result.features().length; j++) {
            FeatureActivity f = result.features()[j];
            firings += f.firings();
            assertEquals((double) f.firings() / result.tokens(), result.density()[j], 1e-15, "density of " + j);
            if (f.firings() == 0) {
                assertTrue(f.top().isEmpty() && f.quantiles().isEmpty(), "a silent feature has no examples");
                continue;
            }
            long inHistogram = 0;
            for (long c : f.histogram().counts()) {
                inHistogram += c;
            }
            assertEquals(f.firings(), inHistogram, "histogram of " + j + " holds every firing");
            assertEquals(f.maxAct(), f.top().get(0).act(), 0, "the first top example is the maximum, feature " + j);
            for (int e = 1; e < f.top().size(); e++) {
                assertTrue(f.top().get(e).act() <= f.top().get(e - 1).act(), "top examples descend, feature " + j);
            }
            assertEquals(f.top().size(), f.top().stream().mapToInt(FeatureActivity.Example::docId).distinct().count(),
                    "at most one top example per document, feature " + j);
            // A window gives a feature at most contextSize − 1 firings (one per non-BOS token), so this many firings
            // span enough windows to fill the top examples.
            assertTrue(f.top().size() == SETTINGS.topExamples()
                    || f.firings() <= (long) SETTINGS.topExamples() * (SETTINGS.contextSize() - 1),
                    "a feature firing often fills its top examples: " + j);
            long inIntervals = 0;
            for (int g = 0; g < f.quantiles().size(); g++) {
                FeatureActivity.QuantileGroup q = f.quantiles().get(g);
                inIntervals += q.count();
                assertTrue(q.lower() < q.upper(), "interval " + g + " of " + j);
                if (g > 0) {
                    assertEquals(f.quantiles().get(g - 1).lower(), q.upper(), 1e-9, "intervals descend, feature " + j);
                }
                assertEquals(Math.min(q.count(), SETTINGS.perGroup()), q.examples().size(), "sample size, " + j);
                for (FeatureActivity.Example e : q.examples()) {
                    assertTrue(e.act() > q.lower() - 1e-6 && e.act() <= q.upper() + 1e-6,
                            "an interval's example lies in it, feature " + j);
                }
            }
            assertEquals(f.maxAct(), f.quantiles().get(0).upper(), 1e-6, "the top interval ends at the maximum");
            assertEquals(f.firings(), inIntervals, "every firing is in one interval, feature " + j);
        }
        assertTrue(firings <= (long) K * result.tokens() && firings > (long) (K - 1) * result.tokens(),
                "TopK fires at most k per token (nearly always k): " + firings + " over " + result.tokens());
    }

    @Test
    void examplesMatchTheModelRunOnTheirDocumentAlone() {
        LlamaModel model = SharedData.model();
        Tokenizer tok = SharedData.tokenizer();
        List<ContextWindow> windows = new ArrayList<>();
        for (String d : documents) {
            windows.addAll(ContextWindows.build(List.of(d), tok, SETTINGS.contextSize(), WindowPolicy.TRUNCATE));
        }
        int checked = 0;
        Map<Integer, float[][]> encoded = new HashMap<>(); // document → [length][dSae]
        for (int j = 0; j < result.features().length; j += 11) {
            for (FeatureActivity.Example e : result.features()[j].top()) {
                int[] ids = windows.get(e.docId()).tokens();
                int pos = locate(tok, ids, e);
                float[][] latents = encoded.computeIfAbsent(e.docId(), d -> encodeAll(model, ids));
                assertEquals(e.act(), latents[pos][j], ACT_TOLERANCE, "feature " + j + " in document " + e.docId());
                for (int t = 0; t < e.tokens().size(); t++) {
                    int q = pos - e.idx() + t;
                    // BOS is not harvested (its residual is an outlier every document shares): shown as 0.
                    float direct = ids[q] == Tokenizer.BOS ? 0f : latents[q][j];
                    assertEquals(direct, e.acts()[t], ACT_TOLERANCE, "feature " + j + ", token " + t + " of an example");
                }
                checked++;
            }
        }
        assertTrue(checked > 20, "checked " + checked + " examples");
    }

    /** Where in the document the example's chosen token is: the one place its token texts line up. */
    private static int locate(Tokenizer tok, int[] ids, FeatureActivity.Example e) {
        List<Integer> found = new ArrayList<>();
        for (int start = 0; start + e.tokens().size() <= ids.length; start++) {
            boolean same = true;
            for (int t = 0; t < e.tokens().size() && same; t++) {
                int q = start + t;
                same = text.of(q > 0 ? ids[q - 1] : -1, ids[q]).equals(e.tokens().get(t));
            }
            if (same) {
                found.add(start + e.idx());
            }
        }
        assertEquals(1, found.size(), "the example's text occurs once in its document " + e.docId());
        return found.get(0);
    }

    /** The SAE's latents [length][dSae] at every position of the document run alone. */
    private static float[][] encodeAll(LlamaModel model, int[] ids) {
        SaeWorkspace ws = new SaeWorkspace(sae, ids.length);
        model.runToLastHook(TokenBatch.of(ids), Map.of(HOOK, (p, act, b) -> Nio.get(act, ws.input())));
        ws.forward();
        float[][] latents = new float[ids.length][sae.config().dSae()];
        ws.forEachActive((r, latent, a) -> latents[r][latent] = a);
        return latents;
    }
}
