package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the real model files in {@code shared/data} by walking up from the working directory (Maven runs module tests
 * from the module directory, so it is usually {@code ../../shared/data}). Absent data skips the test, except under
 * {@code CI=true}, where it fails: CI must not pass by skipping the golden tests.
 */
final class SharedData {

    private static final String MARKER = "shared/data/stories260K.bin";
    private static Path dir;
    private static LlamaModel model;
    private static Tokenizer tokenizer;

    private SharedData() {
    }

    /** The data directory, or the test is skipped (failed under CI). */
    static synchronized Path dir() {
        if (dir == null) {
            for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(MARKER))) {
                    dir = p.resolve("shared/data");
                    break;
                }
            }
        }
        if (dir == null) {
            String message = "no " + MARKER + " above " + System.getProperty("user.dir");
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " (CI=true: the golden tests must run)");
            }
            assumeTrue(false, message);
        }
        return dir;
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    /** stories260K, loaded once per JVM (the model is not thread-safe; JUnit runs these tests sequentially). */
    static synchronized LlamaModel model() {
        if (model == null) {
            try {
                model = LlamaModel.load(file("stories260K.bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            try {
                tokenizer = Tokenizer.load(file("tok512.bin"), 512);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }
}
