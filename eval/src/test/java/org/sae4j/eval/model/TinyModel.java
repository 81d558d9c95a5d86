package org.sae4j.eval.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.activations.model.LayerWeights;
import org.sae4j.activations.model.LlamaConfig;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.LlamaWeights;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.kernels.Nio;

/**
 * A tiny random Llama (dim 16, 2 layers, grouped-query attention), a small llama2.c-style tokenizer (byte fallback
 * plus letters and a few merges) and random text and SAEs for it: everything the model-in-the-loop tests need
 * without the shared data.
 */
final class TinyModel {
    static final int DIM = 16;
    static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "dog", "ran", "home",
        "sun", "is", "hot", "she", "had", "an", "apple", "tree", "big", "red", "ball"};

    private TinyModel() {
    }

    /** ids 0..2 unk/BOS/EOS, 3..258 byte fallback, then " ", letters, punctuation and some merged pieces. */
    static Tokenizer tokenizer() {
        List<String> extra = new ArrayList<>(List.of(" ", ".", ","));
        for (char c = 'a'; c <= 'z'; c++) {
            extra.add(String.valueOf(c));
        }
        extra.addAll(List.of("th", "he", " t", " the", "an", " a", "at", " c", " cat", "nd", " s", "un", "ed"));
        byte[][] pieces = new byte[259 + extra.size()][];
        float[] scores = new float[pieces.length];
        pieces[0] = "<unk>".getBytes(StandardCharsets.UTF_8);
        pieces[1] = "\n<s>\n".getBytes(StandardCharsets.UTF_8);
        pieces[2] = "\n</s>\n".getBytes(StandardCharsets.UTF_8);
        for (int b = 0; b < 256; b++) {
            pieces[3 + b] = String.format("<0x%02X>", b).getBytes(StandardCharsets.UTF_8);
        }
        for (int i = 0; i < extra.size(); i++) {
            pieces[259 + i] = extra.get(i).getBytes(StandardCharsets.UTF_8);
            scores[259 + i] = extra.get(i).length() > 1 ? -i : -1000; // longer merges score higher
        }
        return new Tokenizer(pieces, scores);
    }

    static LlamaModel model(int vocab, long seed) {
        LlamaConfig c = new LlamaConfig(DIM, 32, 2, 4, 2, vocab, 64, true);
        SplittableRandom random = new SplittableRandom(seed);
        INDArray embedding = matrix(random, vocab, DIM, 1.0);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            double s = 1 / Math.sqrt(DIM);
            layers.add(new LayerWeights(gain(random, DIM), matrix(random, DIM, DIM, s), matrix(random, c.kvDim(), DIM, s),
                    matrix(random, c.kvDim(), DIM, s), matrix(random, DIM, DIM, s), gain(random, DIM),
                    matrix(random, c.hiddenDim(), DIM, s), matrix(random, DIM, c.hiddenDim(), 1 / Math.sqrt(32)),
                    matrix(random, c.hiddenDim(), DIM, s)));
        }
        return new LlamaModel(new LlamaWeights(c, embedding, layers, gain(random, DIM), embedding));
    }

    /** Documents of 3 to 30 random words. */
    static List<String> documents(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            StringBuilder s = new StringBuilder();
            int words = 3 + random.nextInt(28);
            for (int w = 0; w < words; w++) {
                s.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            docs.add(s.append('.').toString());
        }
        return docs;
    }

    /**
     * A random TopK SAE (k = 3, 40 latents) centred on the activations' scale; latent {@link #DEAD} has a bias so
     * negative that it never fires.
     */
    static Sae topK(long seed) {
        Sae sae = Sae.initialize(SaeConfig.of(DIM, 40, new Architecture.TopK(3)), seed);
        return withDeadLatent(sae);
    }

    /** A random standard (ReLU) SAE with positive biases, so several latents fire per token. */
    static Sae standard(long seed) {
        Sae sae = Sae.initialize(SaeConfig.of(DIM, 40, new Architecture.Standard()), seed);
        sae.params().wDec().muli(10); // standard init makes rows of norm 0.1
        sae.params().bEnc().addi(0.05);
        return withDeadLatent(sae);
    }

    static final int DEAD = 7;

    private static Sae withDeadLatent(Sae sae) {
        float[] bEnc = Nio.get(sae.params().bEnc());
        bEnc[DEAD] = -1e4f;
        Nio.put(sae.params().bEnc(), bEnc);
        return sae;
    }

    private static float[] gain(SplittableRandom random, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (1 + 0.2 * random.nextGaussian());
        }
        return g;
    }

    private static INDArray matrix(SplittableRandom random, int rows, int cols, double std) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * random.nextGaussian());
        }
        return Nd4j.create(v, new long[] {rows, cols}, 'c');
    }
}
