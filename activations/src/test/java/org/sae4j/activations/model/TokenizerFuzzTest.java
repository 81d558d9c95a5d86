package org.sae4j.activations.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sae4j.formats.BadInputException;

/**
 * Fuzzes the llama2.c tokenizer reader with Jazzer. An input is a vocabulary size (int32 little-endian), a text
 * length n (one byte), n bytes of text, then the tokenizer file. The size and file must load or fail with a
 * {@link BadInputException}; a tokenizer that loads must then encode and decode any text without failing (its ids
 * within the vocabulary). Anything else (another exception, an out-of-memory error, a hang) is a finding. Seeds and
 * findings: {@code TokenizerFuzzTestInputs/loadsOrSaysWhy/} in the test resources. Run by {@code mvn verify}.
 */
class TokenizerFuzzTest {
    private static Path file;

    @BeforeAll
    static void scratch() throws IOException {
        file = Files.createTempFile(scratchDir(), "fuzz", ".bin");
    }

    /** /dev/shm where there is one: a write and read there is several times faster than on a disk's temp dir. */
    private static Path scratchDir() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    @AfterAll
    static void clean() throws IOException {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "15s")
    void loadsOrSaysWhy(byte[] input) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 5) {
            return;
        }
        int vocab = in.getInt();
        byte[] textBytes = new byte[Math.min(in.get() & 0xff, in.remaining())];
        in.get(textBytes);
        String text = new String(textBytes, StandardCharsets.UTF_8);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        Files.write(file, rest);
        Tokenizer t;
        try {
            t = Tokenizer.load(file, vocab);
        } catch (BadInputException expected) {
            return; // The reader said what is wrong: the one acceptable failure.
        }
        if (t.vocabSize() < 3 + 256) {
            return; // encode falls back to byte tokens 3..258, which only a real vocabulary holds
        }
        int[] ids = t.encode(text, true, true);
        for (int id : ids) {
            if (id < 0 || id >= t.vocabSize()) {
                throw new IllegalStateException("encode gave id " + id + " outside [0, " + t.vocabSize() + ")");
            }
        }
        t.decode(ids);
    }
}
