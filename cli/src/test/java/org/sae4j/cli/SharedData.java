package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file of the real model data in {@code shared/data}, found by walking up from the working directory. Absent data
 * skips the test, except under {@code CI=true}, where it fails (as in the activations module's tests).
 */
final class SharedData {
    private static final String MARKER = "shared/data/stories260K.bin";

    private SharedData() {
    }

    static Path file(String name) {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(MARKER))) {
                return p.resolve("shared/data").resolve(name);
            }
        }
        String message = "no " + MARKER + " above " + System.getProperty("user.dir");
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: the tests on the real model must run)");
        }
        assumeTrue(false, message);
        return null;
    }
}
