package org.sae4j.activations.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.formats.BadInputException;

/**
 * Reader for Karpathy's llama2.c "legacy" checkpoint (version 0 of {@code export.py}): a 7 × int32 little-endian
 * header {@code dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len} (negative vocab size = the
 * classifier has its own weights, stored last), then float32 arrays in a fixed order (see the data README).
 *
 * <p>The file size is checked against the header before anything is allocated, so a truncated file or a header
 * that lies gives a one-line {@link BadInputException} instead of an out-of-memory error.
 */
public final class Llama2cCheckpoint {

    static final int HEADER_BYTES = 7 * Integer.BYTES;

    private Llama2cCheckpoint() {
    }

    /** Reads and validates the header alone. */
    public static LlamaConfig readConfig(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readHeader(file, ch);
        }
    }

    /** Loads all weights; the RoPE tables stored in the file are skipped (the model computes its own). */
    public static LlamaWeights load(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            LlamaConfig c = readHeader(file, ch);
            Reader r = new Reader(file, ch, HEADER_BYTES);
            int d = c.dim();
            int kv = c.kvDim();
            int hid = c.hiddenDim();
            int nl = c.nLayers();
            INDArray embedding = r.matrix(c.vocabSize(), d);
            float[][] rmsAtt = r.vectors(nl, d);
            INDArray[] wq = r.matrices(nl, d, d);
            INDArray[] wk = r.matrices(nl, kv, d);
            INDArray[] wv = r.matrices(nl, kv, d);
            INDArray[] wo = r.matrices(nl, d, d);
            float[][] rmsFfn = r.vectors(nl, d);
            INDArray[] w1 = r.matrices(nl, hid, d);
            INDArray[] w2 = r.matrices(nl, d, hid);
            INDArray[] w3 = r.matrices(nl, hid, d);
            float[] rmsFinal = r.vectors(1, d)[0];
            r.skip(2L * c.seqLen() * (c.headSize() / 2)); // legacy freq_cis_real and freq_cis_imag
            INDArray classifier = c.sharedClassifier() ? embedding : r.matrix(c.vocabSize(), d);
            List<LayerWeights> layers = new ArrayList<>(nl);
            for (int l = 0; l < nl; l++) {
                layers.add(new LayerWeights(rmsAtt[l], wq[l], wk[l], wv[l], wo[l], rmsFfn[l], w1[l], w2[l], w3[l]));
            }
            return new LlamaWeights(c, embedding, layers, rmsFinal, classifier);
        }
    }

    /** Bytes a legacy checkpoint with this shape occupies, header included. */
    public static long expectedBytes(LlamaConfig c) {
        try {
            long d = c.dim();
            long perLayer = Math.addExact(Math.multiplyExact(2L * d, d + c.kvDim()) + 2 * d,
                    Math.multiplyExact(3L * c.hiddenDim(), d));
            long floats = Math.multiplyExact((long) c.vocabSize(), d);
            floats = Math.addExact(floats, Math.multiplyExact(perLayer, (long) c.nLayers()));
            floats = Math.addExact(floats, d + (long) c.seqLen() * c.headSize());
            if (!c.sharedClassifier()) {
                floats = Math.addExact(floats, Math.multiplyExact((long) c.vocabSize(), d));
            }
            return Math.addExact(HEADER_BYTES, Math.multiplyExact(floats, (long) Float.BYTES));
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BadInputException("model file not found: " + file);
        }
    }

    private static LlamaConfig readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < HEADER_BYTES) {
            throw new BadInputException(file + ": " + size + " bytes is too short for a llama2.c checkpoint header ("
                    + HEADER_BYTES + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining()) {
            if (ch.read(header, header.position()) < 0) {
                throw new BadInputException(file + ": unexpected end of file in the header");
            }
        }
        header.flip();
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = header.getInt();
        }
        LlamaConfig c;
        try {
            boolean shared = h[5] > 0;
            int vocab = h[5] == Integer.MIN_VALUE ? 0 : Math.abs(h[5]);
            c = new LlamaConfig(h[0], h[1], h[2], h[3], h[4], vocab, h[6], shared);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": not a valid llama2.c checkpoint header: " + e.getMessage());
        }
        long expected = expectedBytes(c);
        if (expected != size) {
            throw new BadInputException(file + ": header " + describe(c) + " implies "
                    + (expected == Long.MAX_VALUE ? "an impossibly large file" : expected + " bytes")
                    + " but the file has " + size + " bytes (truncated, or not a legacy llama2.c checkpoint)");
        }
        return c;
    }

    private static String describe(LlamaConfig c) {
        return "(dim " + c.dim() + ", hidden " + c.hiddenDim() + ", layers " + c.nLayers() + ", heads " + c.nHeads()
                + ", kv heads " + c.nKvHeads() + ", vocab " + c.vocabSize() + ", seq_len " + c.seqLen() + ")";
    }

    /** Sequential float32 reader; every region it maps lies within the size already checked. */
    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private long pos;

        Reader(Path file, FileChannel ch, long pos) {
            this.file = file;
            this.ch = ch;
            this.pos = pos;
        }

        private FloatBuffer next(long floats) throws IOException {
            long bytes = floats * Float.BYTES;
            if (bytes > Integer.MAX_VALUE) {
                throw new BadInputException(file + ": a tensor of " + floats + " floats is too large to map");
            }
            FloatBuffer fb = ch.map(FileChannel.MapMode.READ_ONLY, pos, bytes)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            pos += bytes;
            return fb;
        }

        INDArray matrix(int rows, int cols) throws IOException {
            INDArray m = Nd4j.create(DataType.FLOAT, rows, cols); // [rows, cols], c order
            m.data().asNioFloat().put(next((long) rows * cols));
            return m;
        }

        INDArray[] matrices(int count, int rows, int cols) throws IOException {
            INDArray[] out = new INDArray[count];
            for (int i = 0; i < count; i++) {
                out[i] = matrix(rows, cols);
            }
            return out;
        }

        float[][] vectors(int count, int length) throws IOException {
            float[][] out = new float[count][length];
            for (int i = 0; i < count; i++) {
                next(length).get(out[i]);
            }
            return out;
        }

        void skip(long floats) {
            pos += floats * Float.BYTES;
        }
    }
}
