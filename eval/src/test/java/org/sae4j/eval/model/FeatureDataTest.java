package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Per-feature statistics, examples, histograms, logit effects and decoder neighbours against brute force over the
 * reference codes of every token.
 */
class FeatureDataTest {
    private static final double TOLERANCE = 1e-4;

    static List<Evaluated> cases() {
        return Evaluated.both();
    }

    /** One firing in the reference codes. */
    record Firing(int feature, float activation, int doc, int position) {
    }

    static List<Firing> firings(Evaluated e, int feature) {
        List<Firing> out = new ArrayList<>();
        for (int d = 0; d < e.docs.size(); d++) {
            float[][] f = e.codes.get(d);
            for (int t = 1; t < f.length; t++) {
                if (f[t][feature] > 0) {
                    out.add(new Firing(feature, f[t][feature], d, t));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void densityMeanAndMaxMatchBruteForce(Evaluated e) {
        FeatureData data = e.result.features();
        long inputs = e.docs.stream().mapToLong(d -> d.length - 1).sum();
        assertEquals(inputs, data.tokens(), "SAE input tokens");
        for (int j = 0; j < data.size(); j++) {
            List<Firing> fs = firings(e, j);
            double mean = fs.stream().mapToDouble(Firing::activation).average().orElse(0);
            double meanSq = fs.stream().mapToDouble(f -> f.activation() * (double) f.activation()).average().orElse(0);
            double max = fs.stream().mapToDouble(Firing::activation).max().orElse(0);
            assertEquals(fs.size(), data.firings(j), "firings of feature " + j);
            assertEquals((double) fs.size() / inputs, data.density(j), 1e-12, "density of feature " + j);
            assertEquals(mean, data.meanActivation(j), TOLERANCE, "mean_act of feature " + j);
            assertEquals(meanSq, data.meanSquaredActivation(j), TOLERANCE * Math.max(1, meanSq),
                    "mean_act_squared of feature " + j);
            assertEquals(max, data.maxActivation(j), TOLERANCE, "max_act of feature " + j);
        }
        assertEquals(0, data.firings(TinyModel.DEAD), "the dead latent never fires");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void topExamplesAreTheLargestActivationsWithTheirContext(Evaluated e) {
        FeatureData data = e.result.features();
        int checked = 0;
        for (int j = 0; j < data.size(); j++) {
            List<Firing> expected = firings(e, j);
            expected.sort(Comparator.comparingDouble((Firing f) -> -f.activation()));
            List<Example> top = data.topExamples(j);
            assertEquals(Math.min(e.config.topExamples(), expected.size()), top.size(), "top examples of " + j);
            for (int i = 0; i < top.size(); i++) {
                // Equal activations (the same token right after BOS in two documents) may be ordered either way,
                // so compare the values in order and check that each example is where the reference says.
                Example ex = top.get(i);
                assertEquals(expected.get(i).activation(), ex.activation(), TOLERANCE, "feature " + j + " top " + i);
                assertEquals(e.codes.get(ex.doc())[ex.position()][j], ex.activation(), TOLERANCE,
                        "feature " + j + " top " + i + " is not where it fires");
                assertContext(e, ex);
                checked++;
            }
        }
        assertTrue(checked > 20, "only " + checked + " top examples checked");
    }

    /** The example's tokens are its document's around its position, with the feature's reference activations. */
    static void assertContext(Evaluated e, Example ex) {
        int[] doc = e.docs.get(ex.doc());
        int first = Math.max(0, ex.position() - e.config.contextBefore());
        int last = Math.min(doc.length - 1, ex.position() + e.config.contextAfter());
        assertEquals(first, ex.firstPosition(), "context start");
        assertArrayEquals(Arrays.copyOfRange(doc, first, last + 1), ex.tokenIds(), "context tokens");
        assertEquals(ex.position() - first, ex.index(), "index of the example in its context");
        float[] acts = ex.activations();
        for (int i = 0; i < acts.length; i++) {
            assertEquals(e.codes.get(ex.doc())[first + i][ex.feature()], acts[i], TOLERANCE,
                    "activation at context token " + i);
        }
        assertEquals(ex.activation(), acts[ex.index()], TOLERANCE, "the example's own activation");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void histogramsAndIntervalSamplesMatchBruteForce(Evaluated e) {
        FeatureData data = e.result.features();
        int bins = data.histogramBins();
        int groups = e.config.quantileGroups();
        for (int j = 0; j < data.size(); j++) {
            List<Firing> fs = firings(e, j);
            float max = data.maxActivation(j);
            int[] expected = new int[bins];
            long[] inGroup = new long[groups];
            for (Firing f : fs) {
                expected[Math.min(bins - 1, (int) (f.activation() / max * bins))]++;
                inGroup[Math.min(groups - 1, (int) (f.activation() / max * groups))]++;
            }
            int[] actual = data.histogram(j);
            assertEquals(fs.size(), Arrays.stream(actual).sum(), "histogram total of feature " + j);
            int moved = 0;
            for (int b = 0; b < bins; b++) {
                moved += Math.abs(expected[b] - actual[b]);
            }
            // A float32 activation within rounding of a bin edge may land on the other side of it.
            assertTrue(moved <= 2, "histogram of feature " + j + ": " + Arrays.toString(actual) + " vs "
                    + Arrays.toString(expected));
            List<QuantileGroup> q = data.quantiles(j);
            assertEquals(fs.isEmpty() ? 0 : groups, q.size(), "interval groups of feature " + j);
            for (int g = 0; g < q.size(); g++) {
                QuantileGroup group = q.get(g);
                assertTrue(Math.abs(inGroup[g] - group.count()) <= 1, "firings in interval " + g + " of " + j);
                assertEquals(Math.min(group.count(), e.config.examplesPerGroup()), group.examples().size(),
                        "examples in interval " + g + " of " + j);
                for (Example ex : group.examples()) {
                    assertTrue(ex.activation() > group.lower() - TOLERANCE
                            && ex.activation() <= group.upper() + TOLERANCE, "example outside its interval");
                    assertContext(e, ex);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitEffectsAreTheDecoderRowThroughTheFinalNormAndUnembedding(Evaluated e) {
        FeatureData data = e.result.features();
        float[] wDec = Nio.get(e.sae.params().wDec());
        float[] wU = Nio.get(e.model.weights().classifier()); // [vocab, dim]
        float[] g = e.model.weights().rmsFinal();
        int vocab = e.tokenizer.vocabSize();
        int dim = TinyModel.DIM;
        for (int j = 0; j < data.size(); j++) {
            double[] effect = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                for (int d = 0; d < dim; d++) {
                    effect[v] += (double) wU[v * dim + d] * g[d] * wDec[j * dim + d];
                }
            }
            Integer[] order = new Integer[vocab];
            for (int v = 0; v < vocab; v++) {
                order[v] = v;
            }
            Arrays.sort(order, Comparator.comparingDouble(v -> -effect[v]));
            Ranked top = data.logitsTop(j);
            Ranked bottom = data.logitsBottom(j);
            assertEquals(e.config.logitTokens(), top.size());
            for (int i = 0; i < top.size(); i++) {
                assertEquals(order[i], top.ids()[i], "feature " + j + " top logit " + i);
                assertEquals(effect[order[i]], top.values()[i], TOLERANCE, "feature " + j + " top logit value");
                int b = order[vocab - 1 - i];
                assertEquals(b, bottom.ids()[i], "feature " + j + " bottom logit " + i);
                assertEquals(effect[b], bottom.values()[i], TOLERANCE, "feature " + j + " bottom logit value");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neighboursAreTheClosestDecoderRowsByCosine(Evaluated e) {
        FeatureData data = e.result.features();
        float[] w = Nio.get(e.sae.params().wDec());
        int dSae = data.size();
        int dim = TinyModel.DIM;
        for (int i = 0; i < dSae; i++) {
            double[] cos = new double[dSae];
            for (int j = 0; j < dSae; j++) {
                double dot = 0;
                double ni = 0;
                double nj = 0;
                for (int d = 0; d < dim; d++) {
                    dot += (double) w[i * dim + d] * w[j * dim + d];
                    ni += (double) w[i * dim + d] * w[i * dim + d];
                    nj += (double) w[j * dim + d] * w[j * dim + d];
                }
                cos[j] = dot / Math.sqrt(ni * nj);
            }
            int self = i;
            Integer[] order = java.util.stream.IntStream.range(0, dSae).filter(j -> j != self).boxed()
                    .sorted(Comparator.comparingDouble(j -> -cos[j])).toArray(Integer[]::new);
            Ranked n = data.neighbours(i);
            assertEquals(e.config.neighbours(), n.size());
            for (int k = 0; k < n.size(); k++) {
                assertEquals(order[k], n.ids()[k], "feature " + i + " neighbour " + k);
                assertEquals(cos[order[k]], n.values()[k], TOLERANCE, "feature " + i + " neighbour cosine");
            }
        }
    }
}
