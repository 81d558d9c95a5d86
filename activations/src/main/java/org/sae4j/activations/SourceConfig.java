package org.sae4j.activations;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.sae4j.activations.model.CorpusFormat;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LiveModelSource;
import org.sae4j.activations.model.WindowPolicy;

/** Where a run's activations come from: a closed family, one record per kind of source. */
public sealed interface SourceConfig permits SourceConfig.Synthetic, SourceConfig.Files, SourceConfig.Model {

    /** Opens the stream at position 0. */
    ActivationSource open() throws IOException;

    /**
     * Opens the stream at position 0 for a consumer that deals with NaN/Inf rows itself ({@link FiniteRows}): the
     * source hands them out rather than failing on them.
     */
    default ActivationSource openUnfiltered() throws IOException {
        return open();
    }

    /** Synthetic superposition with known features. */
    record Synthetic(SyntheticConfig config) implements SourceConfig {
        @Override
        public SyntheticSuperposition open() {
            return new SyntheticSuperposition(config);
        }
    }

    /**
     * Activation files (HDF5, .npy, safetensors, or a folder of them read as one), streamed through a seeded
     * shuffle buffer.
     *
     * @param path              file or folder
     * @param dataset           HDF5 dataset path or safetensors tensor name; null picks the only 2-D one
     * @param shuffleBufferRows rows mixed together (memory: twice this many rows)
     * @param seed              seeds the shuffle
     */
    record Files(String path, String dataset, int shuffleBufferRows, long seed) implements SourceConfig {
        public Files {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("an activation file or folder is required");
            }
            if (shuffleBufferRows < 1) {
                throw new IllegalArgumentException("shuffle_buffer_rows must be positive");
            }
        }

        @Override
        public ShuffledFileSource open() throws IOException {
            return new ShuffledFileSource(RowFiles.open(Path.of(path), dataset), shuffleBufferRows, seed);
        }

        @Override
        public ShuffledFileSource openUnfiltered() throws IOException {
            return new ShuffledFileSource(RowFiles.open(Path.of(path), dataset), shuffleBufferRows, seed, false);
        }
    }

    /**
     * A language model run live over a text corpus: each document tokenized from BOS and cut into context windows,
     * the windows run through the model, and the activation at one hook point of every harvested position streamed
     * through a seeded shuffle buffer ({@link LiveModelSource} defines the order exactly).
     *
     * @param model             llama2.c checkpoint
     * @param tokenizer         llama2.c tokenizer file of the model
     * @param text              corpus file
     * @param textFormat        how the corpus splits into documents; null guesses from the file
     * @param hookPoint         where the activations are read
     * @param contextSize       tokens per context window, at most the model's seq_len
     * @param windowPolicy      one window per document (truncate) or documents packed back to back (pack)
     * @param harvestBos        also harvest BOS positions (off by default: an outlier shared by every document)
     * @param batchTokens       most tokens per forward pass
     * @param shuffleBufferRows activation rows mixed together (memory: a few blocks of this many rows)
     * @param seed              seeds the window order and the shuffle
     */
    record Model(String model, String tokenizer, String text, CorpusFormat textFormat, HookPoint hookPoint,
                 int contextSize, WindowPolicy windowPolicy, boolean harvestBos, int batchTokens,
                 int shuffleBufferRows, long seed) implements SourceConfig {
        public Model {
            for (String[] required : new String[][] {{"model", model}, {"tokenizer", tokenizer}, {"text", text}}) {
                if (required[1] == null || required[1].isBlank()) {
                    throw new IllegalArgumentException("a " + required[0] + " file is required for a model source");
                }
            }
            if (hookPoint == null || windowPolicy == null) {
                throw new IllegalArgumentException("a hook point and a window policy are required");
            }
            if (contextSize < 2) {
                throw new IllegalArgumentException("context_size must be at least 2, got " + contextSize);
            }
            if (batchTokens < 1 || shuffleBufferRows < 1) {
                throw new IllegalArgumentException("batch_tokens and shuffle_buffer_rows must be positive");
            }
        }

        @Override
        public LiveModelSource open() throws IOException {
            return LiveModelSource.open(this);
        }

        /** The same source at another hook point. */
        public Model withHookPoint(HookPoint point) {
            return new Model(model, tokenizer, text, textFormat, point, contextSize, windowPolicy, harvestBos,
                    batchTokens, shuffleBufferRows, seed);
        }

        /** The same model and hook over another corpus and seed (held-out evaluation). */
        public Model withText(String otherText, long otherSeed) {
            return new Model(model, tokenizer, otherText, textFormat, hookPoint, contextSize, windowPolicy,
                    harvestBos, batchTokens, shuffleBufferRows, otherSeed);
        }

        /**
         * Opens one source per config from a single model pass: every block of windows is run through the model
         * once and its activations at all the hook points kept for every source. The configs must differ in their
         * hook point only.
         */
        public static List<LiveModelSource> openShared(List<Model> configs) throws IOException {
            return LiveModelSource.openShared(configs);
        }
    }
}
