package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The second pass over the text, which needs each feature's largest activation and top occurrences from the first:
 * activation histograms over (0, max], examples sampled from activation intervals, the context around the top
 * examples, and the per-feature ablations ({@link FeatureAblation}).
 */
final class FeaturePass {
    private final ModelEvalConfig config;
    private final FeatureStats stats;
    private final FeatureAblation ablation;
    private final int dSae;
    private final int bins;
    private final int groups;
    private final int perGroup;
    private final int[] histogram;      // [dSae, bins]
    private final Example[][] sample;   // [dSae · groups][perGroup]
    private final int[] kept;           // [dSae · groups]
    private final long[] seen;          // [dSae · groups]
    private final SplittableRandom random;
    private final List<List<Example>> top = new ArrayList<>();   // per feature, largest first
    private final Map<Integer, List<Example>> pendingByDoc = new HashMap<>();
    private final int[] firingCount;    // [dSae] scratch: firings of each ablated feature in the batch
    private final Set<Long> topDocs = new HashSet<>(); // feature << 32 | doc of every top example

    FeaturePass(ModelEvalConfig config, FeatureStats stats, FeatureAblation ablation, int dSae) {
        this.config = config;
        this.stats = stats;
        this.ablation = ablation;
        this.dSae = dSae;
        this.bins = config.histogramBins();
        this.groups = config.quantileGroups();
        this.perGroup = config.examplesPerGroup();
        this.histogram = new int[Math.multiplyExact(dSae, bins)];
        this.sample = new Example[Math.multiplyExact(dSae, groups)][perGroup];
        this.kept = new int[dSae * groups];
        this.seen = new long[dSae * groups];
        this.random = new SplittableRandom(config.seed());
        this.firingCount = new int[dSae];
        for (int j = 0; j < dSae; j++) {
            List<Example> examples = new ArrayList<>();
            for (TopActivations.Entry e : stats.top.sorted(j)) {
                Example example = new Example(j, e.doc(), e.position(), e.activation());
                examples.add(example);
                pendingByDoc.computeIfAbsent(e.doc(), d -> new ArrayList<>()).add(example);
                topDocs.add(key(j, e.doc()));
            }
            top.add(examples);
        }
    }

    void add(EvalBatch b) {
        Map<Integer, float[]> deltaLoss = ablate(b);
        Codes codes = b.codes;
        for (int i = 0; i < b.spliced(); i++) {
            int row = b.splicedRow[i];
            for (int e = codes.start()[i]; e < codes.start()[i + 1]; e++) {
                int j = codes.latent()[e];
                float a = codes.activation()[e];
                float max = stats.max[j];
                histogram[j * bins + Math.min(bins - 1, (int) (a / max * bins))]++;
                if (groups > 0 && perGroup > 0) {
                    sample(b, j, a, row, Math.min(groups - 1, (int) (a / max * groups)), deltaLoss.get(j));
                }
            }
        }
        for (int s = 0; s < b.tokens.size(); s++) {
            List<Example> pending = pendingByDoc.remove(b.firstDoc + s);
            if (pending != null) {
                for (Example example : pending) {
                    example.fill(b, config.contextBefore(), config.contextAfter(),
                            deltaLoss.get(example.feature()));
                }
            }
        }
    }

    /** Reservoir sampling (Vitter's algorithm R) of firings within each feature's activation interval. */
    private void sample(EvalBatch b, int feature, float activation, int row, int group, float[] deltaLoss) {
        int at = feature * groups + group;
        long n = ++seen[at];
        int slot;
        if (kept[at] < perGroup) {
            slot = kept[at]++;
        } else {
            long r = random.nextLong(n);
            if (r >= perGroup) {
                return;
            }
            slot = (int) r;
        }
        Example example = new Example(feature, b.doc(row), b.tokens.positionOf(row), activation);
        example.fill(b, config.contextBefore(), config.contextAfter(), deltaLoss);
        sample[at][slot] = example;
    }

    private static long key(int feature, int doc) {
        return (long) feature << 32 | doc;
    }

    /**
     * Runs each ablated feature that fires in {@code b} on the documents it fires in while it is under its document
     * budget, and on those holding its top examples; its Δloss per batch row (NaN where not rerun), by feature.
     */
    private Map<Integer, float[]> ablate(EvalBatch b) {
        Map<Integer, float[]> out = new HashMap<>();
        if (ablation == null || ablation.slots() == 0) {
            return out;
        }
        Codes codes = b.codes;
        for (int e = 0; e < codes.latent().length; e++) {
            if (ablation.ablates(codes.latent()[e])) {
                firingCount[codes.latent()[e]]++;
            }
        }
        for (int j : ablation.features()) {
            int count = firingCount[j];
            if (count == 0) {
                continue;
            }
            firingCount[j] = 0;
            boolean[] counted = new boolean[b.tokens.size()];
            boolean[] rerun = new boolean[b.tokens.size()];
            boolean[] visited = new boolean[b.tokens.size()];
            long budget = config.ablationDocuments() - ablation.documents(ablation.slot(j));
            int[] firing = new int[count];
            float[] acts = new float[count];
            int n = 0;
            for (int i = 0; i < b.spliced(); i++) {
                float a = codes.activation(i, j);
                if (a <= 0f) {
                    continue;
                }
                int s = b.tokens.sequenceOf(b.splicedRow[i]);
                if (!visited[s]) { // the sequence's first firing decides for the whole sequence
                    visited[s] = true;
                    counted[s] = budget-- > 0;
                    rerun[s] = counted[s] || topDocs.contains(key(j, b.firstDoc + s));
                }
                if (rerun[s]) {
                    firing[n] = i;
                    acts[n++] = a;
                }
            }
            if (n > 0) {
                out.put(j, ablation.run(b, j, firing, acts, n, counted));
            } else {
                float[] none = new float[b.rows];
                Arrays.fill(none, Float.NaN);
                out.put(j, none);
            }
        }
        return out;
    }

    int[] histogram(int feature) {
        return Arrays.copyOfRange(histogram, feature * bins, (feature + 1) * bins);
    }

    List<Example> top(int feature) {
        return top.get(feature);
    }

    List<QuantileGroup> quantiles(int feature) {
        List<QuantileGroup> out = new ArrayList<>(groups);
        double max = stats.max[feature];
        if (max <= 0) {
            return out;
        }
        for (int g = 0; g < groups; g++) {
            int at = feature * groups + g;
            List<Example> examples = new ArrayList<>(Arrays.asList(sample[at]).subList(0, kept[at]));
            examples.sort(Comparator.comparingDouble((Example e) -> -e.activation()).thenComparingInt(Example::doc)
                    .thenComparingInt(Example::position));
            out.add(new QuantileGroup(max * g / groups, max * (g + 1) / groups, seen[at], examples));
        }
        return out;
    }

    /** Mean ablation Δloss over the feature's top examples at their own token (NaN if none predicts a token). */
    double deltaLossAtTop(int feature) {
        double sum = 0;
        int n = 0;
        for (Example e : top.get(feature)) {
            float[] d = e.lossDiff();
            if (d != null && !Float.isNaN(d[e.index()])) {
                sum += d[e.index()];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
