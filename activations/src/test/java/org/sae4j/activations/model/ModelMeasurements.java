package org.sae4j.activations.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Not a test: prints forward throughput (full pass vs stopping after block 2), greedy generation time and the
 * teacher-forced loss on the whole held-out file. Run by hand:
 * {@code java -cp <test classpath> org.sae4j.activations.model.ModelMeasurements /path/to/shared/data}.
 */
public final class ModelMeasurements {

    private ModelMeasurements() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        LlamaModel model = LlamaModel.load(data.resolve("stories260K.bin"));
        Tokenizer tok = Tokenizer.load(data.resolve("tok512.bin"), 512);

        SplittableRandom rnd = new SplittableRandom(1);
        List<int[]> seqs = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            int[] ids = new int[256];
            ids[0] = Tokenizer.BOS;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = 3 + rnd.nextInt(509);
            }
            seqs.add(ids);
        }
        TokenBatch batch = TokenBatch.of(seqs);
        Map<HookPoint, Hook> harvest = Map.of(new HookPoint(2, HookKind.RESID_POST), (p, act, b) -> { });
        for (int warm = 0; warm < 5; warm++) {
            model.forward(batch);
            model.runToLastHook(batch, harvest);
        }
        int reps = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            model.forward(batch);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            model.runToLastHook(batch, harvest);
        }
        long t2 = System.nanoTime();
        double tokens = (double) reps * batch.rows();
        System.out.printf("forward 16x256, full pass with logits: %.0f tokens/s (%.1f ms/batch)%n",
                tokens / ((t1 - t0) / 1e9), (t1 - t0) / 1e6 / reps);
        System.out.printf("forward 16x256, stop after blocks.2.hook_resid_post: %.0f tokens/s (%.1f ms/batch)%n",
                tokens / ((t2 - t1) / 1e9), (t2 - t1) / 1e6 / reps);

        Generator gen = new Generator(model, tok);
        gen.generate("Once upon a time", 64, new Sampler(0f, 0f, 0));
        long g0 = System.nanoTime();
        Generation g = gen.generate("Once upon a time", 64, new Sampler(0f, 0f, 0));
        System.out.printf("greedy 64 steps: %.0f ms: %s%n", (System.nanoTime() - g0) / 1e6, g.text());

        long l0 = System.nanoTime();
        List<String> docs = Corpus.read(data.resolve("tinystories-valid-head.txt"), CorpusFormat.BLANK_LINES);
        LossResult loss = new LossEvaluator(model, tok).evaluate(docs, 512, 32);
        System.out.printf("loss on tinystories-valid-head.txt: %.4f nats/token over %d tokens, %d documents, %.1f s%n",
                loss.meanNats(), loss.tokens(), loss.documents(), (System.nanoTime() - l0) / 1e9);

        // The file lost its story separators, so paragraphs-from-BOS lack their story's context. For comparison:
        // all paragraphs joined by blank lines as one text, cut into windows of BOS + 511 tokens.
        int[] stream = tok.encode(String.join("\n\n", docs), false, false);
        List<int[]> windows = new ArrayList<>();
        for (int from = 0; from + 511 <= stream.length; from += 511) {
            int[] w = new int[512];
            w[0] = Tokenizer.BOS;
            System.arraycopy(stream, from, w, 1, 511);
            windows.add(w);
        }
        double nats = 0;
        long count = 0;
        for (int from = 0; from < windows.size(); from += 16) {
            TokenBatch b = TokenBatch.of(windows.subList(from, Math.min(windows.size(), from + 16)));
            nats += LossEvaluator.sumNextTokenLoss(b, model.forward(b).data().asNioFloat(), 512);
            count += b.rows() - b.size();
        }
        System.out.printf("loss with the file as one stream in 512-token windows: %.4f nats/token over %d tokens%n",
                nats / count, count);
    }
}
