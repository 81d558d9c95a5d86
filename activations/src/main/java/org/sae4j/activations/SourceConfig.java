package org.sae4j.activations;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a run's activations come from: a closed family, one record per kind of source. The live-model source joins
 * it as another record.
 */
public sealed interface SourceConfig permits SourceConfig.Synthetic, SourceConfig.Files {

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
}
