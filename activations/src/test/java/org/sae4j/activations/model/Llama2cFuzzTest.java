package org.sae4j.activations.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sae4j.formats.BadInputException;

/**
 * Fuzzes the llama2.c checkpoint reader with Jazzer: any bytes must give a header that the file's size agrees with
 * (and then load as weights) or a {@link BadInputException}; anything else (another exception, an out-of-memory
 * error from a lying header, a hang) is a finding. Seeds and findings: {@code Llama2cFuzzTestInputs/loadsOrSaysWhy/}
 * in the test resources (a whole tiny model among them). Run by {@code mvn verify}.
 */
class Llama2cFuzzTest {
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
    void loadsOrSaysWhy(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try {
            LlamaConfig c = Llama2cCheckpoint.readConfig(file);
            LlamaWeights w = Llama2cCheckpoint.load(file);
            if (!w.config().equals(c)) {
                throw new IllegalStateException("load read " + w.config() + " where readConfig read " + c);
            }
        } catch (BadInputException expected) {
            // The reader said what is wrong: the one acceptable failure.
        }
    }
}
