package org.sae4j.formats;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@link SafetensorsReader} with Jazzer: any bytes, opened as a file and every tensor read, must either read
 * or fail with a {@link BadInputException}; any other exception, an out-of-memory error or a hang is a finding. Run
 * by {@code mvn verify} (see the parent pom's fuzz execution); the seeds and any crash found live in
 * {@code SafetensorsFuzzTestInputs/readsOrSaysWhy/} beside this class's package in the test resources.
 */
class SafetensorsFuzzTest {
    private static Path file;

    @BeforeAll
    static void scratch() throws IOException {
        file = Files.createTempFile(scratchDir(), "fuzz", ".safetensors");
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
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (TensorInfo t : r.tensors()) {
                DType d = t.dtype();
                if (d.isFloat()) {
                    r.readFloats(t.name());
                    if (t.rank() == 2 && t.shape()[0] > 0) {
                        float[] row = new float[(int) t.shape()[1]];
                        r.readFloatRows(t.name(), t.shape()[0] - 1, 1, row, 0);
                    }
                } else if (d != DType.U64 && d != DType.BOOL) {
                    r.readLongs(t.name());
                }
            }
            r.metadata();
        } catch (BadInputException expected) {
            // The reader said what is wrong: the one acceptable failure.
        }
    }
}
