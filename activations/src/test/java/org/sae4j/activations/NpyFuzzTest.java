package org.sae4j.activations;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sae4j.formats.BadInputException;

/**
 * Fuzzes the {@code .npy} reader ({@link NpyHeader}, {@link NpyRowFile}) with Jazzer: any bytes, opened and every
 * row read, must either read or fail with a {@link BadInputException}; anything else (another exception, an
 * out-of-memory error, a hang) is a finding. Seeds and findings: {@code NpyFuzzTestInputs/readsOrSaysWhy/} in the
 * test resources. Run by {@code mvn verify}.
 */
class NpyFuzzTest {
    private static Path file;

    @BeforeAll
    static void scratch() throws IOException {
        file = Files.createTempFile(scratchDir(), "fuzz", ".npy");
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
    void readsOrSaysWhy(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try (NpyRowFile f = NpyRowFile.open(file)) {
            // The file is at most a few KiB, so a header that passed validation describes at most that many rows.
            int rows = (int) f.rows();
            float[] all = new float[rows * f.dIn()];
            f.read(0, rows, all, 0);
        } catch (BadInputException expected) {
            // The reader said what is wrong: the one acceptable failure.
        }
    }
}
