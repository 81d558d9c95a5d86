package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to generate, loss, harvest and train-from-a-model: exit 2, exactly one line on stderr naming the
 * problem, and nothing written.
 */
class ModelBadInputTest {

    /** Where commands are told to write: must stay empty. */
    @TempDir
    Path dir;

    /** Inputs the tests make. */
    @TempDir
    Path scratch;

    private String model() {
        return SharedData.file("stories260K.bin");
    }

    private String tok() {
        return SharedData.file("tok512.bin");
    }

    private String text() {
        return SharedData.file("tinystories-valid-head.txt");
    }

    private void assertBadInput(String expectedFragment, String... args) throws IOException {
        Cli r = Cli.run(args);
        assertEquals(Main.BAD_INPUT, r.exit(), r::toString);
        assertEquals(1, r.err().strip().lines().count(), () -> "one line on stderr:\n" + r);
        assertTrue(r.err().contains(expectedFragment), () -> "stderr should mention '" + expectedFragment + "':\n" + r);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), () -> "nothing written to " + dir + ":\n" + r);
        }
    }

    @Test
    void generate() throws IOException {
        assertBadInput("Missing required option", "generate", "--tokenizer", tok());
        assertBadInput("no such file", "generate", "--model", dir.resolve("none.bin").toString(), "--tokenizer",
                tok());
        assertBadInput("--temperature", "generate", "--model", model(), "--tokenizer", tok(), "--temperature", "hot");
        assertBadInput("--top-p", "generate", "--model", model(), "--tokenizer", tok(), "--top-p", "2");
        assertBadInput("--steps", "generate", "--model", model(), "--tokenizer", tok(), "--steps", "0");
        // The 32000-token Llama-2 tokenizer does not fit stories260K's 512-token vocabulary.
        assertBadInput("tokenizer", "generate", "--model", model(), "--tokenizer",
                SharedData.file("tokenizer.bin"));
        assertBadInput("not a readable file", "generate", "--model", dir.toString(), "--tokenizer", tok());
    }

    @Test
    void loss() throws IOException {
        assertBadInput("no such file", "loss", "--model", model(), "--tokenizer", tok(), "--text",
                dir.resolve("none.txt").toString());
        assertBadInput("--max-tokens", "loss", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--max-tokens", "600");
        assertBadInput("text format", "loss", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--text-format", "csv");
    }

    @Test
    void harvest() throws IOException {
        String out = dir.resolve("acts").toString();
        assertBadInput("--layer 5: the model has 5 layers (0..4)", "harvest", "--model", model(), "--tokenizer",
                tok(), "--text", text(), "--layer", "5", "--out", out);
        assertBadInput("unknown hook 'resid'", "harvest", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2", "--hook", "resid", "--out", out);
        assertBadInput("--tokens", "harvest", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2", "--tokens", "-5", "--out", out);
        assertBadInput("--context-size", "harvest", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2", "--context-size", "1024", "--out", out);
        assertBadInput("window policy", "harvest", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2", "--window-policy", "slide", "--out", out);
        assertBadInput("Missing required option: out", "harvest", "--model", model(), "--tokenizer", tok(),
                "--text", text(), "--layer", "2");
        Path blank = Files.writeString(scratch.resolve("blank.txt"), "\n\n \n");
        assertBadInput("holds no documents", "harvest", "--model", model(), "--tokenizer", tok(), "--text",
                blank.toString(), "--layer", "2", "--out", out);
    }

    @Test
    void harvestRefusesAnExistingFolder() throws IOException {
        Path existing = Files.createDirectories(dir.resolve("acts"));
        Cli r = Cli.run("harvest", "--model", model(), "--tokenizer", tok(), "--text", text(), "--layer", "2",
                "--out", existing.toString());
        assertEquals(Main.BAD_INPUT, r.exit(), r::toString);
        assertTrue(r.err().contains("already exists"), r::toString);
        try (Stream<Path> s = Files.list(existing)) {
            assertEquals(0, s.count(), "the existing folder is left alone");
        }
    }

    @Test
    void trainFromAModel() throws IOException {
        String out = dir.resolve("run").toString();
        assertBadInput("layers (0..4)", "train", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "9", "--out", out);
        assertBadInput("--text is required", "train", "--model", model(), "--tokenizer", tok(), "--layer", "2",
                "--out", out);
        assertBadInput("--layer is required", "train", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--out", out);
        assertBadInput("unknown hook", "train", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2", "--hook", "resid_post,bogus", "--out", out);
        assertBadInput("not both", "train", "--model", model(), "--data", text(), "--out", out);
        assertBadInput("same hook point twice", "train", "--model", model(), "--tokenizer", tok(), "--text", text(),
                "--layer", "2,2", "--out", out);
        assertBadInput("--text applies to SAEs trained on a live model", "eval", "--sae", writeSyntheticSae(),
                "--text", text());
        assertFalse(Files.exists(Path.of(out)));
    }

    /** A tiny synthetic SAE outside {@code dir}, for eval's --text check. */
    private String writeSyntheticSae() {
        Path sae = scratch.resolve("sae");
        Cli t = Cli.run("train", "--d-in", "8", "--n-features", "16", "--mean-active", "2", "--d-sae", "16", "--k", "2",
                "--total-tokens", "512", "--batch-size", "256", "--init-sample-rows", "256", "--eval-tokens", "256",
                "--out", sae.toString());
        assertEquals(0, t.exit(), t::toString);
        return sae.toString();
    }
}
