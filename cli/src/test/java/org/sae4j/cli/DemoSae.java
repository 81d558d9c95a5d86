package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.Corpus;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.Json;
import org.sae4j.trainer.TrainConfig;
import org.sae4j.trainer.TrainResult;
import org.sae4j.trainer.Trainer;
import org.sae4j.trainer.TrainingListener;

/**
 * Trains the SAE used for the stories260K numbers in docs/evaluation.md, until {@code sae4j train} reads the live
 * model itself: harvests the hook point's activations over TinyStories-train through the model's hooks, shuffles
 * them once (seeded) into memory, and trains a TopK SAE on them with {@link Trainer}. Not a test; run by hand:
 * <pre>
 * java -cp cli/target/sae4j.jar:cli/target/test-classes org.sae4j.cli.DemoSae \
 *     ../shared/data OUT_DIR blocks.2.hook_resid_post 1024 8 3000000
 * </pre>
 */
public final class DemoSae {
    private DemoSae() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        HookPoint hook = HookPoint.parse(args[2]);
        int dSae = Integer.parseInt(args[3]);
        int k = Integer.parseInt(args[4]);
        long tokens = Long.parseLong(args[5]);
        LlamaModel model = LlamaModel.load(data.resolve("stories260K.bin"));
        Tokenizer tokenizer = Tokenizer.load(data.resolve("tok512.bin"), model.config().vocabSize());
        List<String> docs = Corpus.read(data.resolve("tinystories-train-head2MiB.txt"));
        float[] rows = harvest(model, tokenizer, docs, hook);
        int dim = model.config().dim();
        System.err.printf("harvested %,d activations at %s from %,d documents%n", rows.length / dim, hook,
                docs.size());
        shuffle(rows, dim, 1);
        SaeConfig sae = SaeConfig.of(dim, dSae, new Architecture.TopK(k)).withMetadata(Map.of(
                "model_name", "stories260K", "hook_name", hook.name(), "dataset_path",
                "tinystories-train-head2MiB.txt", "context_size", 512));
        TrainConfig d = TrainConfig.defaults();
        TrainConfig train = new TrainConfig(tokens, 4096, d.lr(), d.adamBeta1(), d.adamBeta2(), d.adamEpsilon(),
                d.lrWarmupSteps(), d.lrDecayFraction(), d.l1Coefficient(), d.l1WarmupSteps(), d.auxKCoefficient(),
                d.kAux(), 1_000_000L, true, 65_536, 0, 50, 1);
        ObjectNode resolved = Json.mapper().createObjectNode();
        resolved.put("demo", "DemoSae " + String.join(" ", args));
        TrainResult r = new Trainer(sae, train, new Memory(rows, dim), out, resolved, new TrainingListener() {
            @Override
            public void stepDone(long step, org.sae4j.trainer.Metrics m) {
                if (m != null && step % 100 == 0) {
                    System.err.printf("step %d  loss %.4f  L0 %.1f  EV %.3f  dead %.3f  %,.0f tok/s%n", step,
                            m.loss(), m.l0(), m.explainedVariance(), m.deadFraction(), m.tokensPerSecond());
                }
            }
        }).fit(false);
        System.err.printf("trained %,d tokens in %.0f s; wrote %s%n", r.tokens(), r.seconds(), out);
    }

    /** Every non-BOS token's activation at {@code hook}, documents truncated to 512 tokens. */
    static float[] harvest(LlamaModel model, Tokenizer tokenizer, List<String> docs, HookPoint hook) {
        int dim = model.config().dim();
        List<ContextWindow> windows = ContextWindows.build(docs, tokenizer, 512, WindowPolicy.TRUNCATE);
        List<float[]> parts = new ArrayList<>();
        long total = 0;
        for (int from = 0; from < windows.size(); from += 32) {
            List<ContextWindow> chunk = windows.subList(from, Math.min(windows.size(), from + 32));
            var batch = ContextWindows.batch(chunk);
            float[] part = new float[batch.rows() * dim];
            int[] n = {0};
            model.runToLastHook(batch, Map.of(hook, (p, a, b) -> {
                float[] all = Nio.get(a);
                for (int r = 0; r < b.rows(); r++) {
                    if (b.token(r) != Tokenizer.BOS) {
                        System.arraycopy(all, r * dim, part, n[0]++ * dim, dim);
                    }
                }
            }));
            parts.add(java.util.Arrays.copyOf(part, n[0] * dim));
            total += n[0];
        }
        float[] rows = new float[Math.toIntExact(total * dim)];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, rows, at, p.length);
            at += p.length;
        }
        return rows;
    }

    private static void shuffle(float[] rows, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] tmp = new float[dim];
        for (int i = rows.length / dim - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            System.arraycopy(rows, i * dim, tmp, 0, dim);
            System.arraycopy(rows, j * dim, rows, i * dim, dim);
            System.arraycopy(tmp, 0, rows, j * dim, dim);
        }
    }

    /** The rows in memory, replayed in the same order epoch after epoch. */
    private static final class Memory implements ActivationSource {
        private final float[] rows;
        private final int dim;
        private final long n;
        private long position;

        Memory(float[] rows, int dim) {
            this.rows = rows;
            this.dim = dim;
            this.n = rows.length / dim;
        }

        @Override
        public int dIn() {
            return dim;
        }

        @Override
        public void next(float[] dst, int count) {
            for (int r = 0; r < count; r++) {
                System.arraycopy(rows, (int) ((position++ % n) * dim), dst, r * dim, dim);
            }
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long p) {
            position = p;
        }

        @Override
        public void close() {
        }
    }
}
