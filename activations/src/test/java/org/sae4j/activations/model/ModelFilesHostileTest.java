package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

/**
 * Malformed model-side files, made here from a tiny valid llama2.c checkpoint and tokenizer (no shared data needed):
 * impossible or lying headers, files cut short or padded, text that is not UTF-8. Each is a one-line
 * {@link BadInputException} naming the file and the problem, never an out-of-memory error or a hang (the class
 * timeout). The activation and SAE files get the same treatment through the CLI in cli's HostileInputTest.
 */
@Timeout(20)
class ModelFilesHostileTest {
    /** dim 8, hidden 16, 1 layer, 2 heads, 2 kv heads, vocab 16, seq_len 4, shared classifier. */
    private static final int[] TINY = {8, 16, 1, 2, 2, 16, 4};

    @TempDir
    Path tmp;

    private static void assertBad(String phrase, Executable read) {
        BadInputException e = assertThrows(BadInputException.class, read);
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "': " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    // ---- llama2.c checkpoints ----

    /** A checkpoint with {@code header} and the float bytes that header implies (or as many as given). */
    private Path checkpoint(int[] header, long dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Llama2cCheckpoint.HEADER_BYTES + (int) dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int h : header) {
            b.putInt(h);
        }
        return Files.write(tmp.resolve("model.bin"), b.array());
    }

    private static long tinyBytes() {
        return Llama2cCheckpoint.expectedBytes(new LlamaConfig(8, 16, 1, 2, 2, 16, 4, true))
                - Llama2cCheckpoint.HEADER_BYTES;
    }

    private static int[] tiny(int index, int value) {
        int[] h = TINY.clone();
        h[index] = value;
        return h;
    }

    @Test
    void theTinyCheckpointItselfLoads() throws IOException {
        Path p = checkpoint(TINY, tinyBytes());
        assertEquals(8, Llama2cCheckpoint.load(p).config().dim(), "the base of the malformed ones is valid");
    }

    @Test
    void llama2cCheckpointsWithImpossibleHeadersOrWrongSizes() throws IOException {
        long data = tinyBytes();
        Path shortFile = Files.write(tmp.resolve("short.bin"), new byte[10]);
        assertBad("too short for a llama2.c checkpoint header", () -> Llama2cCheckpoint.load(shortFile));
        assertBad("model file not found", () -> Llama2cCheckpoint.load(tmp.resolve("absent.bin")));
        Path p = checkpoint(tiny(0, -8), data);
        assertBad("dim must be positive, got -8", () -> Llama2cCheckpoint.load(p));
        Path p2 = checkpoint(tiny(2, 0), data);
        assertBad("nLayers must be positive, got 0", () -> Llama2cCheckpoint.load(p2));
        Path p3 = checkpoint(tiny(3, 3), data);
        assertBad("not a multiple of nHeads 3", () -> Llama2cCheckpoint.load(p3));
        Path p4 = checkpoint(new int[] {6, 16, 1, 2, 2, 16, 4}, data);
        assertBad("head size 3 is odd", () -> Llama2cCheckpoint.load(p4));
        Path p5 = checkpoint(tiny(4, 4), data);
        assertBad("nHeads 2 is not a multiple of nKvHeads 4", () -> Llama2cCheckpoint.load(p5));
        Path p6 = checkpoint(tiny(5, Integer.MIN_VALUE), data);
        assertBad("vocabSize must be positive", () -> Llama2cCheckpoint.load(p6));
        Path p7 = checkpoint(new int[] {1 << 30, 1 << 30, 1 << 20, 2, 2, 1 << 30, 1 << 30}, data);
        assertBad("an impossibly large file", () -> Llama2cCheckpoint.load(p7));
        Path p8 = checkpoint(new int[] {4096, 11008, 32, 32, 32, 32000, 2048}, data);
        assertBad("but the file has " + (data + 28) + " bytes", () -> Llama2cCheckpoint.load(p8));
        Path cut = checkpoint(TINY, data - 4);
        assertBad("(truncated, or not a legacy llama2.c checkpoint)", () -> Llama2cCheckpoint.load(cut));
        Path padded = checkpoint(TINY, data + 4);
        assertBad("but the file has " + (data + 32) + " bytes", () -> Llama2cCheckpoint.readConfig(padded));
        Path ownClassifier = checkpoint(tiny(5, -16), data);  // negative vocab: its own classifier, stored last
        assertBad("implies " + (data + 28 + 16 * 8 * 4) + " bytes", () -> Llama2cCheckpoint.load(ownClassifier));
    }

    // ---- tokenizers ----

    /** A llama2.c tokenizer of 16 pieces "a".."p" (max_token_length 2). */
    private static byte[] tokenizer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        out.write(b.putInt(0, 2).array(), 0, 4);
        for (int i = 0; i < 16; i++) {
            b.clear();
            b.putFloat(-i).putInt(1).put((byte) ('a' + i));
            out.write(b.array(), 0, 9);
        }
        return out.toByteArray();
    }

    private Path tok(byte[] bytes) throws IOException {
        return Files.write(tmp.resolve("tok.bin"), bytes);
    }

    @Test
    void tokenizersCutShortPaddedOrLying() throws IOException {
        byte[] good = tokenizer();
        assertEquals(16, Tokenizer.load(tok(good), 16).vocabSize(), "the base of the malformed ones is valid");
        Path empty = tok(new byte[0]);
        assertBad("0 bytes has room for at most 0 tokens, not 16", () -> Tokenizer.load(empty, 16));
        Path cut = tok(Arrays.copyOf(good, good.length - 5));
        assertBad("file cut short or not a llama2.c tokenizer", () -> Tokenizer.load(cut, 16));
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 4, -5);
        Path neg = tok(negative);
        assertBad("token 0 claims -5 bytes", () -> Tokenizer.load(neg, 16));
        byte[] tooLong = good.clone();
        ByteBuffer.wrap(tooLong).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 9 * 3 + 4, 3);
        Path longer = tok(tooLong);
        assertBad("token 3 claims 3 bytes", () -> Tokenizer.load(longer, 16));
        Path padded = tok(Arrays.copyOf(good, good.length + 3));
        assertBad("3 bytes left after 16 tokens", () -> Tokenizer.load(padded, 16));
        Path small = tok(good);
        assertBad("ends after 16 of 17 tokens", () -> Tokenizer.load(small, 17));
        // A vocabulary size no file this small can hold must be refused before anything is sized by it.
        assertBad("148 bytes has room for at most 18 tokens", () -> Tokenizer.load(small, Integer.MAX_VALUE));
        assertBad("vocabulary size must be positive", () -> Tokenizer.load(small, -1));
        assertBad("tokenizer file not found", () -> Tokenizer.load(tmp.resolve("absent.bin"), 16));
    }

    // ---- text corpora ----

    @Test
    void textThatIsNotUtf8OrJsonlThatIsNotJson() throws IOException {
        byte[][] notUtf8 = {
                {'o', 'k', (byte) 0xc0, (byte) 0x80},             // overlong encoding of NUL
                {'o', 'k', (byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
                {'o', 'k', (byte) 0xe6, (byte) 0x97},              // a character cut off by the end of the file
                {'o', 'k', (byte) 0xff}};                          // a byte UTF-8 never uses
        for (byte[] bytes : notUtf8) {
            Path f = Files.write(tmp.resolve("bad.txt"), bytes);
            assertBad("bad.txt: invalid UTF-8 at byte offset 2", () -> Corpus.read(f));
        }
        Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), "{\"text\": \"fine\"}\n{\"text\": \"cut\n");
        assertBad("docs.jsonl: line 2 is not valid JSON", () -> Corpus.read(jsonl));
        Path number = Files.writeString(tmp.resolve("n.jsonl"), "{\"text\": 42}\n");
        assertBad("n.jsonl: line 1 has no string field \"text\"", () -> Corpus.read(number));
        Path array = Files.writeString(tmp.resolve("a.jsonl"), "[\"text\"]\n");
        assertBad("a.jsonl: line 1 has no string field \"text\"", () -> Corpus.read(array));
        assertBad("corpus file not found", () -> Corpus.read(tmp.resolve("absent.txt")));
        String ok = new String(Files.readAllBytes(Files.write(tmp.resolve("ok.txt"),
                "日本\n".getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8);
        assertEquals("日本", Corpus.read(tmp.resolve("ok.txt")).get(0), "valid UTF-8 still reads: " + ok);
    }
}
