package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;

/**
 * The real stories260K model in {@code shared/data}, found by walking up from the working directory (as the
 * activations module's tests find it). Absent data skips the test, except under {@code CI=true}, where it fails.
 */
final class SharedData {
    private static final String MARKER = "shared/data/stories260K.bin";
    private static LlamaModel model;
    private static Tokenizer tokenizer;

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
