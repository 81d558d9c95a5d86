package org.sae4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;

/**
 * Files for CLI tests of the model-bound commands, written in the formats the CLI reads: a tiny random llama2.c
 * checkpoint (dim 16, 2 layers, shared classifier), a llama2.c tokenizer (byte fallback plus letters), a text
 * of blank-line-separated documents, and a random TopK SAE folder.
 */
final class TinyModelFiles {
    static final int DIM = 16;
    private static final int HIDDEN = 32;
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int SEQ_LEN = 64;

    private TinyModelFiles() {
    }

    /** ids 0..2 unk/BOS/EOS, 3..258 bytes, then " ", letters and '.'; returns the vocabulary size. */
    static int tokenizer(Path file) throws IOException {
        List<String> pieces = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
        }
        pieces.add(" ");
        pieces.add(".");
        for (char c = 'a'; c <= 'z'; c++) {
            pieces.add(String.valueOf(c));
        }
        pieces.addAll(List.of("th", "he", " the", "an", " a", "at"));
        ByteBuffer buf = ByteBuffer.allocate(4 + pieces.size() * 8 + pieces.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(8);
        for (int i = 0; i < pieces.size(); i++) {
            byte[] p = pieces.get(i).getBytes(StandardCharsets.UTF_8);
            buf.putFloat(p.length > 1 && i > 258 ? -i : -1000f);
            buf.putInt(p.length);
            buf.put(p);
        }
        Files.write(file, java.util.Arrays.copyOf(buf.array(), buf.position()));
        return pieces.size();
    }

    /** A random llama2.c legacy checkpoint (positive vocab size: the classifier is the embedding). */
    static void model(Path file, int vocab, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int kvDim = DIM / HEADS * KV_HEADS;
        int headSize = DIM / HEADS;
        List<float[]> arrays = new ArrayList<>();
        arrays.add(gaussian(random, vocab * DIM, 1.0));
        arrays.add(gains(random, LAYERS * DIM));
        arrays.add(gaussian(random, LAYERS * DIM * DIM, 0.25));
        arrays.add(gaussian(random, LAYERS * kvDim * DIM, 0.25));
        arrays.add(gaussian(random, LAYERS * kvDim * DIM, 0.25));
        arrays.add(gaussian(random, LAYERS * DIM * DIM, 0.25));
        arrays.add(gains(random, LAYERS * DIM));
        arrays.add(gaussian(random, LAYERS * HIDDEN * DIM, 0.25));
        arrays.add(gaussian(random, LAYERS * DIM * HIDDEN, 0.18));
        arrays.add(gaussian(random, LAYERS * HIDDEN * DIM, 0.25));
        arrays.add(gains(random, DIM));
        arrays.add(new float[2 * SEQ_LEN * headSize / 2]); // legacy RoPE tables, skipped by the reader
        int floats = arrays.stream().mapToInt(a -> a.length).sum();
        ByteBuffer buf = ByteBuffer.allocate(28 + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, vocab, SEQ_LEN}) {
            buf.putInt(v);
        }
        for (float[] a : arrays) {
            for (float v : a) {
                buf.putFloat(v);
            }
        }
        Files.write(file, buf.array());
    }

    /** Blank-line-separated documents of random words. */
    static void text(Path file, int documents, long seed) throws IOException {
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "ran", "home", "hat", "that"};
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        for (int d = 0; d < documents; d++) {
            int n = 4 + random.nextInt(20);
            for (int w = 0; w < n; w++) {
                s.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            s.append(".\n\n");
        }
        Files.writeString(file, s.toString());
    }

    /** A random TopK SAE folder; {@code hookName} null leaves the hook out of its metadata. */
    static void sae(Path dir, int dIn, int dSae, String hookName, long seed) throws IOException {
        SaeConfig config = SaeConfig.of(dIn, dSae, new Architecture.TopK(3));
        if (hookName != null) {
            config = config.withMetadata(Map.of("hook_name", hookName, "model_name", "tiny"));
        }
        SaeLensFormat.save(Sae.initialize(config, seed), new double[dSae], dir);
    }

    private static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (std * random.nextGaussian());
        }
        return a;
    }

    private static float[] gains(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (1 + 0.2 * random.nextGaussian());
        }
        return a;
    }
}
