package org.sae4j.dictionary;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sae4j.formats.BadInputException;

/**
 * Fuzzes the reading of a SAELens {@code cfg.json} (any version) with Jazzer: any bytes must give an SAE config whose
 * parameter layout can be computed, or a {@link BadInputException}; anything else (another exception, a hang) is a
 * finding. Seeds and findings: {@code SaeLensConfigFuzzTestInputs/readsOrSaysWhy/} in the test resources (SAELens
 * 6 and pre-6 files, sae4j's own). Run by {@code mvn verify}.
 */
class SaeLensConfigFuzzTest {
    private static Path file;

    @BeforeAll
    static void scratch() throws IOException {
        file = Files.createTempFile(scratchDir(), "cfg", ".json");
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
        try {
            SaeLensConfig cfg = SaeLensConfig.read(file);
            SaeConfig c = cfg.config();
            long total = 0;
            for (SaeParams.TensorSpec spec : SaeParams.layout(c)) {
                total = Math.addExact(total, spec.size());
            }
            if (total != c.parameterCount()) {
                throw new IllegalStateException("layout holds " + total + " values, parameterCount says "
                        + c.parameterCount());
            }
        } catch (BadInputException expected) {
            // The reader said what is wrong: the one acceptable failure.
        }
    }
}
