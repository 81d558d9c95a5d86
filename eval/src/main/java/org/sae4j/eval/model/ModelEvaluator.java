package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.eval.EvalResult;
import org.sae4j.eval.FrequencyHistogram;
import org.sae4j.formats.BadInputException;

/**
 * Evaluates an SAE with the model in the loop, in two passes over the text:
 * <ol>
 *   <li>{@link SplicePass}: reconstruction and sparsity on the model's own activations, the clean / SAE-spliced /
 *       zero-ablated / reconstruction-plus-error next-token losses and KL divergences, per-feature firing counts,
 *       largest activations and top occurrences;</li>
 *   <li>{@link FeaturePass}, which needs the first pass's maxima and top occurrences: activation histograms,
 *       interval examples, the top examples' context, and per-feature ablations of the most frequent features.</li>
 * </ol>
 * Then, from the weights alone, direct logit effects ({@link LogitEffects}) and decoder neighbours
 * ({@link DecoderNeighbours}). Deterministic given the config (its seed drives the example sampling).
 */
public final class ModelEvaluator {
    /** Rows per SAE forward: large enough for an efficient gemm, small enough for wide SAEs. */
    private static final int ENCODER_ROWS = 512;

    /** Told after each batch how far a phase has come, in tokens (the CLI draws a progress bar from it). */
    @FunctionalInterface
    public interface Progress {
        void update(String phase, long tokensDone, long tokensTotal);

        Progress NONE = (phase, done, total) -> { };
    }

    private ModelEvaluator() {
    }

    public static ModelEvalResult evaluate(LlamaModel model, Tokenizer tokenizer, Sae sae, List<String> documents,
                                           ModelEvalConfig config, Progress progress) {
        long started = System.nanoTime();
        check(model, tokenizer, sae, config);
        List<ContextWindow> windows = windows(documents, tokenizer, model, config);
        List<int[]> batches = batches(windows, config.batchTokens());
        long tokens = windows.stream().mapToLong(ContextWindow::length).sum();
        int dSae = sae.config().dSae();
        BatchEncoder encoder = new BatchEncoder(sae, ENCODER_ROWS);

        SplicePass splice = new SplicePass(model, config.hook(), dSae, config.topExamples());
        long done = 0;
        for (int[] range : batches) {
            splice.add(EvalBatch.run(model, config.hook(), encoder, windows.subList(range[0], range[1]), range[0]));
            done += length(windows, range);
            progress.update("splice", done, tokens);
        }
        EvalResult.Reconstruction reconstruction = splice.reconstruction();
        FeatureStats stats = splice.features();

        float[] wDec = Nio.get(sae.params().wDec()); // [dSae, dIn]
        int[] ablated = mostFrequent(stats.count, config.ablatedFeatures());
        FeatureAblation ablation = new FeatureAblation(model, config.hook(), wDec, dSae, sae.config().dIn(), ablated);
        FeaturePass features = new FeaturePass(config, stats, ablation, dSae);
        done = 0;
        for (int[] range : batches) {
            features.add(EvalBatch.run(model, config.hook(), encoder, windows.subList(range[0], range[1]), range[0]));
            done += length(windows, range);
            progress.update("features", done, tokens);
        }
        AblationEffect[] effects = new AblationEffect[dSae];
        for (int s = 0; s < ablated.length; s++) {
            effects[ablated[s]] = ablation.effect(s, features.deltaLossAtTop(ablated[s]), config.logitTokens());
        }
        FeatureData data = new FeatureData(reconstruction.tokens(), stats, features, config.histogramBins(),
                LogitEffects.compute(wDec, dSae, model.weights(), config.logitTokens()),
                DecoderNeighbours.compute(wDec, dSae, sae.config().dIn(), config.neighbours()), effects);
        EvalResult base = new EvalResult(reconstruction, FrequencyHistogram.of(reconstruction.firingFrequency()), null);
        return new ModelEvalResult(config, base, splice.loss(), data, windows.size(), tokens,
                (System.nanoTime() - started) / 1e9);
    }

    /** Mismatches between the SAE, the model, the tokenizer and the hook are bad input, said in one line. */
    static void check(LlamaModel model, Tokenizer tokenizer, Sae sae, ModelEvalConfig config) {
        int layers = model.config().nLayers();
        if (config.hook().layer() >= layers) {
            throw new BadInputException("hook " + config.hook() + " names layer " + config.hook().layer()
                    + " but the model has " + layers + " layers (0.." + (layers - 1) + ")");
        }
        if (sae.config().dIn() != model.config().dim()) {
            throw new BadInputException("the SAE has d_in = " + sae.config().dIn() + " but the model's "
                    + config.hook() + " is " + model.config().dim() + " wide");
        }
        if (tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new BadInputException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's"
                    + " vocabulary has " + model.config().vocabSize());
        }
    }

    /** Documents from BOS, truncated to the context size (at most the model's seqLen), up to maxTokens in all. */
    static List<ContextWindow> windows(List<String> documents, Tokenizer tokenizer, LlamaModel model,
                                       ModelEvalConfig config) {
        int context = Math.min(config.contextSize(), model.config().seqLen());
        List<ContextWindow> all = ContextWindows.build(documents, tokenizer, context, WindowPolicy.TRUNCATE);
        List<ContextWindow> out = new ArrayList<>();
        long tokens = 0;
        for (ContextWindow w : all) {
            if (config.maxTokens() > 0 && tokens >= config.maxTokens()) {
                break;
            }
            if (w.length() >= 2) { // a lone BOS predicts nothing and feeds the SAE nothing
                out.add(w);
                tokens += w.length();
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("the text holds no document of at least one token");
        }
        return out;
    }

    /** Consecutive windows grouped into [from, to) ranges of at most batchTokens tokens (at least one window). */
    static List<int[]> batches(List<ContextWindow> windows, int batchTokens) {
        List<int[]> out = new ArrayList<>();
        int from = 0;
        long tokens = 0;
        for (int i = 0; i < windows.size(); i++) {
            if (i > from && tokens + windows.get(i).length() > batchTokens) {
                out.add(new int[] {from, i});
                from = i;
                tokens = 0;
            }
            tokens += windows.get(i).length();
        }
        out.add(new int[] {from, windows.size()});
        return out;
    }

    private static long length(List<ContextWindow> windows, int[] range) {
        long n = 0;
        for (int i = range[0]; i < range[1]; i++) {
            n += windows.get(i).length();
        }
        return n;
    }

    /** The {@code n} features that fired most often (ties: lower index first), never-firing ones excluded. */
    static int[] mostFrequent(long[] count, int n) {
        return IntStream.range(0, count.length).boxed().filter(j -> count[j] > 0)
                .sorted(Comparator.comparingLong((Integer j) -> -count[j]).thenComparingInt(j -> j))
                .limit(n).mapToInt(Integer::intValue).toArray();
    }
}
