package org.sae4j.eval.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.eval.Evaluator;
import org.sae4j.formats.BadInputException;

/**
 * One pass of the model over text with the SAE reading the hook point: every firing of every feature is kept
 * (position and activation), and from them each feature's density, activation histogram, top-activating examples
 * and interval groups are cut, with the surrounding tokens and the feature's activation on each.
 *
 * <p>Keeping every firing costs 8 bytes × tokens × L0 (65,536 tokens at L0 32: 16 MiB), and lets an example show the
 * feature's activation on all its tokens, not just the one it was chosen for.
 */
public final class ActivityHarvest {
    private static final long WORKSPACE_FLOATS = 1L << 24;
    private static final int TOKENIZE_CHUNK = 64;

    /**
     * @param contextSize      tokens per document window (each from BOS, longer documents truncated)
     * @param maxTokens        stop after this many harvested (non-BOS) tokens
     * @param windowsPerBatch  documents per forward pass
     * @param topExamples      top-activating examples per feature
     * @param quantileGroups   activation intervals per feature
     * @param perGroup         examples sampled from each interval
     * @param left             tokens shown before the chosen one
     * @param right            tokens shown after it
     * @param histogramBins    bins of the activation histogram
     * @param seed             for the interval samples
     */
    public record Settings(int contextSize, long maxTokens, int windowsPerBatch, int topExamples, int quantileGroups,
                           int perGroup, int left, int right, int histogramBins, long seed) {
        public Settings {
            if (contextSize < 2 || maxTokens < 1 || windowsPerBatch < 1 || topExamples < 1 || quantileGroups < 1
                    || perGroup < 1 || left < 0 || right < 0 || histogramBins < 1) {
                throw new IllegalArgumentException("harvest settings out of range: " + this);
            }
        }
    }

    /**
     * @param tokens   harvested token positions (BOS excluded)
     * @param windows  document windows read
     * @param features [dSae] per feature
     * @param density  [dSae] fraction of harvested tokens each feature fired on
     */
    public record Result(long tokens, int windows, FeatureActivity[] features, double[] density) {
    }

    /** Positions (global token index, ascending) and activations of one feature's firings. */
    private static final class Firings {
        int[] pos = new int[16];
        float[] act = new float[16];
        int size;

        void add(int p, float a) {
            if (size == pos.length) {
                pos = Arrays.copyOf(pos, size * 2);
                act = Arrays.copyOf(act, size * 2);
            }
            pos[size] = p;
            act[size++] = a;
        }

        /** The feature's activation at global position p (0 where it did not fire). */
        float at(int p) {
            int i = Arrays.binarySearch(pos, 0, size, p);
            return i >= 0 ? act[i] : 0f;
        }
    }

    private final TokenText text;
    private final Settings settings;
    private final int[] tokens;      // [total] every token of every window read, windows back to back
    private final int[] windowStart; // [windows + 1] first global position of each window
    private final Firings[] firings; // [dSae]

    private ActivityHarvest(Tokenizer tokenizer, Settings settings, int[] tokens, int[] windowStart, int dSae) {
        this.text = new TokenText(tokenizer);
        this.settings = settings;
        this.tokens = tokens;
        this.windowStart = windowStart;
        this.firings = new Firings[dSae];
        for (int j = 0; j < dSae; j++) {
            firings[j] = new Firings();
        }
    }

    public static Result run(LlamaModel model, Tokenizer tokenizer, HookPoint hook, Sae sae, List<String> documents,
                             Settings settings, Evaluator.Progress progress) {
        int dim = model.config().dim();
        if (sae.config().dIn() != dim) {
            throw new BadInputException("the SAE reads d_in = " + sae.config().dIn() + " but the model's "
                    + hook.name() + " has width " + dim);
        }
        List<ContextWindow> windows = windowsFor(documents, tokenizer, settings);
        if (windows.isEmpty()) {
            throw new BadInputException("the text holds no tokens to harvest");
        }
        int[] windowStart = new int[windows.size() + 1];
        for (int w = 0; w < windows.size(); w++) {
            windowStart[w + 1] = windowStart[w] + windows.get(w).length();
        }
        int[] all = new int[windowStart[windows.size()]];
        for (int w = 0; w < windows.size(); w++) {
            System.arraycopy(windows.get(w).tokens(), 0, all, windowStart[w], windows.get(w).length());
        }
        ActivityHarvest h = new ActivityHarvest(tokenizer, settings, all, windowStart, sae.config().dSae());
        long harvested = h.pass(model, hook, sae, windows, progress);
        return h.result(harvested, windows.size());
    }

    /**
     * Windows from the start of the text until they hold maxTokens harvestable tokens. Documents are tokenized a
     * chunk at a time, in parallel (llama2.c's BPE merge is quadratic in a document's length and was half the time
     * of a report), and only as far into the text as needed.
     */
    private static List<ContextWindow> windowsFor(List<String> documents, Tokenizer tokenizer, Settings s) {
        List<ContextWindow> out = new ArrayList<>();
        long harvest = 0;
        for (int first = 0; first < documents.size() && harvest < s.maxTokens(); first += TOKENIZE_CHUNK) {
            List<ContextWindow> chunk = documents.subList(first, Math.min(documents.size(), first + TOKENIZE_CHUNK))
                    .parallelStream()
                    .map(doc -> ContextWindows.build(List.of(doc), tokenizer, s.contextSize(), WindowPolicy.TRUNCATE))
                    .flatMap(List::stream)
                    .toList();
            for (ContextWindow w : chunk) {
                if (harvest >= s.maxTokens()) {
                    break;
                }
                if (w.harvestCount() > 0) {
                    out.add(w);
                    harvest += w.harvestCount();
                }
            }
        }
        return out;
    }

    /** The forward passes: the hook copies harvested rows into the SAE's input; firings are recorded per feature. */
    private long pass(LlamaModel model, HookPoint hook, Sae sae, List<ContextWindow> windows,
                      Evaluator.Progress progress) {
        int dim = sae.config().dIn();
        // The workspace holds [rows, dSae] pre-activations: keep it near 64 MiB however wide the SAE.
        int perBatch = (int) Math.max(1, Math.min(settings.windowsPerBatch(),
                WORKSPACE_FLOATS / ((long) sae.config().dSae() * settings.contextSize())));
        SaeWorkspace ws = new SaeWorkspace(sae, perBatch * settings.contextSize());
        int[] rowPos = new int[ws.rows()]; // [rows] global position of each workspace row
        long harvested = 0;
        for (int first = 0; first < windows.size(); first += perBatch) {
            List<ContextWindow> part = windows.subList(first, Math.min(windows.size(), first + perBatch));
            TokenBatch batch = ContextWindows.batch(part);
            float[] x = ws.input();
            int[] used = {0};
            int firstWindow = first;
            model.runToLastHook(batch, Map.of(hook, (point, activation, b) -> {
                float[] rows = Nio.get(activation); // [batch.rows(), dim]
                for (int s = 0; s < part.size(); s++) {
                    boolean[] harvest = part.get(s).harvest();
                    for (int t = 0; t < harvest.length; t++) {
                        if (harvest[t]) {
                            System.arraycopy(rows, (b.offset(s) + t) * dim, x, used[0] * dim, dim);
                            rowPos[used[0]++] = windowStart[firstWindow + s] + t;
                        }
                    }
                }
            }));
            Arrays.fill(x, used[0] * dim, x.length, 0f); // rows past the batch: encoded, then ignored
            ws.forward();
            int n = used[0];
            ws.forEachActive((row, latent, act) -> {
                if (row < n) {
                    firings[latent].add(rowPos[row], act);
                }
            });
            harvested += n;
            progress.tokensDone(harvested);
        }
        return harvested;
    }

    private Result result(long harvested, int windows) {
        int dSae = firings.length;
        FeatureActivity[] features = new FeatureActivity[dSae];
        double[] density = new double[dSae];
        IntStream.range(0, dSae).parallel().forEach(j -> {
            features[j] = feature(j);
            density[j] = (double) firings[j].size / harvested;
        });
        return new Result(harvested, windows, features, density);
    }

    private FeatureActivity feature(int j) {
        Firings f = firings[j];
        int n = f.size;
        if (n == 0) {
            return new FeatureActivity(0, 0, 0, null, List.of(), List.of());
        }
        double sum = 0;
        float max = 0;
        for (int i = 0; i < n; i++) {
            sum += f.act[i];
            max = Math.max(max, f.act[i]);
        }
        return new FeatureActivity(n, sum / n, max, histogram(f, max), top(f), quantiles(f, max, j));
    }

    private FeatureActivity.Histogram histogram(Firings f, float max) {
        int bins = settings.histogramBins();
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = (double) max * b / bins;
        }
        long[] counts = new long[bins];
        for (int i = 0; i < f.size; i++) {
            counts[Math.min(bins - 1, (int) (f.act[i] / max * bins))]++;
        }
        return new FeatureActivity.Histogram(edges, counts);
    }

    /** The strongest firings, at most one per document window, so the list is not one story repeated. */
    private List<FeatureActivity.Example> top(Firings f) {
        int want = settings.topExamples();
        int[] candidates = Ranked.largest(f.act, 0, f.size, want * 8, -1, 1);
        if (distinctWindows(f, candidates, want).size() < want && candidates.length < f.size) {
            // The strongest firings crowd into few documents: rank them all.
            candidates = IntStream.range(0, f.size).boxed().sorted((a, b) -> Float.compare(f.act[b], f.act[a]))
                    .mapToInt(Integer::intValue).toArray();
        }
        List<FeatureActivity.Example> out = new ArrayList<>();
        for (int c : distinctWindows(f, candidates, want)) {
            out.add(example(f, c));
        }
        return out;
    }

    /** The first {@code want} of {@code candidates} (firing indices) that lie in different document windows. */
    private List<Integer> distinctWindows(Firings f, int[] candidates, int want) {
        List<Integer> picked = new ArrayList<>();
        Set<Integer> windows = new HashSet<>();
        for (int c : candidates) {
            if (picked.size() == want) {
                break;
            }
            if (windows.add(windowOf(f.pos[c]))) {
                picked.add(c);
            }
        }
        return picked;
    }

    /**
     * sae_vis's interval groups: (0, max] cut into equal-width intervals, each with its count of firings and a seeded
     * random sample of them, highest interval first.
     */
    private List<FeatureActivity.QuantileGroup> quantiles(Firings f, float max, int feature) {
        int groups = settings.quantileGroups();
        int[] group = new int[f.size];  // [firings] the interval of each firing
        int[] count = new int[groups];
        for (int i = 0; i < f.size; i++) {
            group[i] = Math.min(groups - 1, Math.max(0, (int) Math.ceil(f.act[i] / max * groups) - 1));
            count[group[i]]++;
        }
        int[][] members = new int[groups][];
        for (int g = 0; g < groups; g++) {
            members[g] = new int[count[g]];
            count[g] = 0;
        }
        for (int i = 0; i < f.size; i++) {
            members[group[i]][count[group[i]]++] = i;
        }
        SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + feature);
        List<FeatureActivity.QuantileGroup> out = new ArrayList<>();
        for (int g = groups - 1; g >= 0; g--) {
            int[] m = members[g];
            int take = Math.min(settings.perGroup(), m.length);
            for (int t = 0; t < take; t++) { // partial Fisher–Yates: the first `take` are a uniform sample
                int r = t + random.nextInt(m.length - t);
                int swap = m[t];
                m[t] = m[r];
                m[r] = swap;
            }
            Integer[] picked = new Integer[take];
            for (int t = 0; t < take; t++) {
                picked[t] = m[t];
            }
            Arrays.sort(picked, (a, b) -> Float.compare(f.act[b], f.act[a]));
            List<FeatureActivity.Example> examples = new ArrayList<>();
            for (int i : picked) {
                examples.add(example(f, i));
            }
            out.add(new FeatureActivity.QuantileGroup((double) max * g / groups, (double) max * (g + 1) / groups,
                    m.length, examples));
        }
        return out;
    }

    /** The tokens around firing {@code i} of {@code f}, within its document window, with the feature's activations. */
    private FeatureActivity.Example example(Firings f, int i) {
        int p = f.pos[i];
        int w = windowOf(p);
        int from = Math.max(windowStart[w], p - settings.left());
        int to = Math.min(windowStart[w + 1], p + settings.right() + 1);
        List<String> shown = new ArrayList<>(to - from);
        float[] acts = new float[to - from];
        for (int q = from; q < to; q++) {
            shown.add(text.of(q > windowStart[w] ? tokens[q - 1] : -1, tokens[q]));
            acts[q - from] = f.at(q);
        }
        return new FeatureActivity.Example(w, p - from, f.act[i], shown, acts);
    }

    private int windowOf(int p) {
        int i = Arrays.binarySearch(windowStart, p);
        return i >= 0 ? i : -i - 2;
    }
}
