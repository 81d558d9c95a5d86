package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.eval.report.AblationEffect;
import org.sae4j.eval.report.DecoderNeighbours;
import org.sae4j.eval.report.FeatureActivity;
import org.sae4j.eval.report.LogitEffect;
import org.sae4j.eval.report.ReportData;
import org.sae4j.eval.report.RunInfo;
import org.sae4j.eval.report.TokenValue;
import org.sae4j.formats.Json;

/**
 * A report with every part filled, of any size, without a model: a random SAE's decoder (real neighbours) and seeded
 * made-up activity, logit and ablation data shaped like the real thing. Every 32nd feature is dead.
 */
final class SyntheticReport {
    static final String[] WORDS = {" the", " cat", " dog", " ran", " home", ".", ",", " Lily", " Tim", " happy",
        " sad", " tree", " ball", " park", " mom", " said", "\n", " big", " red", " \"Hi", "</script>"};

    private SyntheticReport() {
    }

    static boolean dead(int j) {
        return j % 32 == 31;
    }

    /**
     * @param n        features
     * @param top      top examples per live feature
     * @param groups   quantile groups, each of 2 examples
     * @param length   tokens per example
     */
    static ReportData build(int n, int top, int groups, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Sae sae = Sae.initialize(SaeConfig.of(32, n, new Architecture.TopK(4))
                .withMetadata(Map.of("hook_name", "blocks.2.hook_resid_post")), seed);
        double[] density = new double[n];
        FeatureActivity[] activity = new FeatureActivity[n];
        LogitEffect[] logits = new LogitEffect[n];
        AblationEffect[] ablation = new AblationEffect[n];
        for (int j = 0; j < n; j++) {
            logits[j] = new LogitEffect(tokens(random, 10, 1), tokens(random, 10, -1));
            if (dead(j)) {
                activity[j] = new FeatureActivity(0, 0, 0, null, List.of(), List.of());
                continue;
            }
            density[j] = Math.pow(10, -6 + 5 * random.nextDouble());
            double max = 0.5 + 10 * random.nextDouble();
            List<FeatureActivity.Example> examples = new ArrayList<>();
            for (int e = 0; e < top; e++) {
                examples.add(example(random, length, max * (1 - 0.02 * e)));
            }
            List<FeatureActivity.QuantileGroup> quantiles = new ArrayList<>();
            for (int g = groups - 1; g >= 0; g--) {
                double lo = max * g / groups;
                double hi = max * (g + 1) / groups;
                quantiles.add(new FeatureActivity.QuantileGroup(lo, hi, 100 + random.nextInt(1000),
                        List.of(example(random, length, hi), example(random, length, lo + 0.01))));
            }
            long[] counts = new long[16];
            double[] edges = new double[17];
            for (int b = 0; b < 16; b++) {
                counts[b] = random.nextInt(200);
                edges[b + 1] = max * (b + 1) / 16;
            }
            activity[j] = new FeatureActivity(1000 + random.nextInt(5000), max / 3, max,
                    new FeatureActivity.Histogram(edges, counts), examples, quantiles);
            ablation[j] = new AblationEffect(20, 1000, random.nextGaussian() * 0.01, random.nextGaussian() * 0.05,
                    0.001 * random.nextDouble(), tokens(random, 5, 1), tokens(random, 5, -1));
        }
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("activity", "synthetic");
        sources.put("ablation", "synthetic");
        return new ReportData(run(sae), sae.decoderRowNorms(), DecoderNeighbours.of(sae, 10), density, activity,
                logits, ablation, sources);
    }

    private static FeatureActivity.Example example(SplittableRandom random, int length, double act) {
        List<String> tokens = new ArrayList<>();
        float[] acts = new float[length];
        int idx = length * 3 / 4;
        for (int t = 0; t < length; t++) {
            tokens.add(WORDS[random.nextInt(WORDS.length)]);
            acts[t] = random.nextInt(4) == 0 ? (float) (act * random.nextDouble()) : 0f;
        }
        acts[idx] = (float) act;
        float[] lossDiff = new float[length]; // as eval gives ablated features: each token's Δloss
        for (int t = 0; t < length; t++) {
            lossDiff[t] = t < idx ? 0f : (float) (0.05 * random.nextGaussian());
        }
        return new FeatureActivity.Example(random.nextInt(1000), idx, act, tokens, acts, lossDiff);
    }

    private static List<TokenValue> tokens(SplittableRandom random, int count, int sign) {
        List<TokenValue> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new TokenValue(WORDS[random.nextInt(WORDS.length)], sign * (1.0 - 0.08 * i)));
        }
        return out;
    }

    private static RunInfo run(Sae sae) {
        Map<String, double[]> curves = new LinkedHashMap<>();
        int points = 40;
        double[] tokens = new double[points];
        double[] loss = new double[points];
        double[] l0 = new double[points];
        double[] ev = new double[points];
        double[] dead = new double[points];
        for (int i = 0; i < points; i++) {
            tokens[i] = 204_800.0 * (i + 1);
            loss[i] = 30 * Math.exp(-i / 6.0) + 4;
            l0[i] = 4;
            ev[i] = 0.92 - 0.6 * Math.exp(-i / 5.0);
            dead[i] = 0.05 * Math.exp(-i / 10.0);
        }
        curves.put("tokens", tokens);
        curves.put("loss", loss);
        curves.put("l0", l0);
        curves.put("explained_variance", ev);
        curves.put("dead_fraction", dead);
        ObjectNode eval = Json.mapper().createObjectNode();
        eval.putObject("reconstruction").put("tokens", 200_000).put("explained_variance", 0.9208).put("mse", 0.047);
        ObjectNode sparsity = eval.putObject("sparsity").put("l0", 4.0).put("dead_fraction", 1.0 / 32);
        ObjectNode h = sparsity.putObject("log10_firing_frequency_histogram");
        for (int b = 0; b <= 16; b++) {
            h.withArray("bin_edges").add(-8 + 0.5 * b);
        }
        for (int b = 0; b < 16; b++) {
            h.withArray("counts").add(b * (16 - b));
        }
        h.put("never_fired", 3);
        ObjectNode settings = Json.mapper().createObjectNode();
        settings.putObject("train").put("total_tokens", 8_192_000).put("lr", 3e-3);
        return new RunInfo("synthetic", SaeLensFormat.configJson(sae.config()), settings, curves, eval, List.of());
    }
}
