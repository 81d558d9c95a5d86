package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.Json;

/**
 * {@code sae4j eval --model} and {@code sae4j steer} through the real entry point on a tiny random model: outputs
 * on success, and on bad input exit 2 with one line and nothing written.
 */
class ModelEvalCommandsTest {
    @TempDir
    Path tmp;
    private Path model;
    private Path tokenizer;
    private Path text;
    private Path sae;

    @BeforeEach
    void files() throws IOException {
        tokenizer = tmp.resolve("tok.bin");
        int vocab = TinyModelFiles.tokenizer(tokenizer);
        model = tmp.resolve("tiny.bin");
        TinyModelFiles.model(model, vocab, 1);
        text = tmp.resolve("held-out.txt");
        TinyModelFiles.text(text, 10, 2);
        sae = tmp.resolve("sae");
        TinyModelFiles.sae(sae, TinyModelFiles.DIM, 24, "blocks.1.hook_resid_post", 3);
    }

    private String[] eval(String... extra) {
        return append(new String[] {"eval", "--sae", sae.toString(), "--model", model.toString(), "--tokenizer",
            tokenizer.toString(), "--text", text.toString(), "--ablate", "3"}, extra);
    }

    /** {@link #eval} with {@code flag}'s value replaced (Commons CLI would take the first of two). */
    private String[] evalWith(String flag, String value) {
        String[] args = eval();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(flag)) {
                args[i + 1] = value;
            }
        }
        return args;
    }

    @Test
    void evalWithTheModelWritesEvalJsonAndFeatureFiles() {
        Cli r = Cli.run(eval());
        assertEquals(Main.OK, r.exit(), r.toString());
        for (String metric : new String[] {"ce_loss_score", "kl_div_score", "explained_variance", "self-check"}) {
            assertTrue(r.out().contains(metric), "the table shows " + metric + "\n" + r);
        }
        assertTrue(r.err().contains("pass 2/2"), "progress is reported\n" + r);
        JsonNode json = Json.readTree(sae.resolve("eval.json"));
        assertEquals("blocks.1.hook_resid_post", json.get("eval_config").get("hook_name").asText());
        assertTrue(json.get("model_performance_preservation").get("ce_loss_score").isNumber());
        assertEquals(model.toString(), json.get("inputs").get("model").asText());
        JsonNode index = Json.readTree(sae.resolve("features").resolve("index.json"));
        assertEquals(24, index.get("features").size());
        assertTrue(Files.exists(sae.resolve("features").resolve("23.json")));
        assertEquals(3, json.get("features").get("ablated").size(), "--ablate 3");
    }

    @Test
    void layerAndHookOverrideTheSaesHookName() {
        Path out = tmp.resolve("elsewhere").resolve("eval.json");
        Cli r = Cli.run(eval("--layer", "0", "--hook", "resid_pre", "--out", out.toString()));
        assertEquals(Main.OK, r.exit(), r.toString());
        assertEquals("blocks.0.hook_resid_pre", Json.readTree(out).get("eval_config").get("hook_name").asText());
        assertTrue(Files.exists(out.resolveSibling("features").resolve("index.json")), "features/ beside --out");
        assertFalse(Files.exists(sae.resolve("eval.json")), "nothing written into the SAE folder");
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws IOException {
        assertBadInput(Cli.run(evalWith("--model", tmp.resolve("absent.bin").toString())), "absent.bin");
        assertBadInput(Cli.run(evalWith("--tokenizer", tmp.resolve("absent-tok.bin").toString())), "absent-tok.bin");
        assertBadInput(Cli.run(evalWith("--text", tmp.resolve("absent.txt").toString())), "absent.txt");
        assertBadInput(Cli.run(evalWith("--tokenizer", text.toString())), "held-out.txt");
        assertBadInput(Cli.run(eval("--layer", "7")), "layers");
        assertBadInput(Cli.run(eval("--hook", "resid_sideways")), "resid_sideways");
        assertBadInput(Cli.run(eval("--data", text.toString())), "--data");
        assertBadInput(Cli.run("eval", "--sae", sae.toString(), "--model", model.toString(), "--tokenizer",
                tokenizer.toString()), "--text");
        Path narrow = tmp.resolve("sae-8");
        TinyModelFiles.sae(narrow, 8, 24, "blocks.1.hook_resid_post", 4);
        assertBadInput(Cli.run("eval", "--sae", narrow.toString(), "--model", model.toString(), "--tokenizer",
                tokenizer.toString(), "--text", text.toString()), "d_in = 8");
        Path anonymous = tmp.resolve("sae-nohook");
        TinyModelFiles.sae(anonymous, TinyModelFiles.DIM, 24, null, 5);
        assertBadInput(Cli.run("eval", "--sae", anonymous.toString(), "--model", model.toString(), "--tokenizer",
                tokenizer.toString(), "--text", text.toString()), "--layer");
        for (Path dir : new Path[] {sae, narrow, anonymous}) {
            assertFalse(Files.exists(dir.resolve("eval.json")), "no eval.json in " + dir);
            assertFalse(Files.exists(dir.resolve("features")), "no features/ in " + dir);
        }
    }

    @Test
    void steerPrintsBothContinuationsFromTheSameSeed() {
        String[] args = {"steer", "--sae", sae.toString(), "--model", model.toString(), "--tokenizer",
            tokenizer.toString(), "--feature", "5", "--prompt", "the cat", "--steps", "20", "--seed", "3"};
        Cli plain = Cli.run(withCoefficient(args, "0"));
        assertEquals(Main.OK, plain.exit(), plain.toString());
        String[] zero = plain.out().split("\nsteered \\(")[1].split("\n", 2);
        assertEquals(between(plain.out(), "unsteered:\n", "\n"), zero[1].strip(),
                "coefficient 0 reproduces the unsteered text with the same seed\n" + plain);
        Cli steered = Cli.run(withCoefficient(args, "40"));
        assertEquals(Main.OK, steered.exit(), steered.toString());
        assertEquals(between(plain.out(), "unsteered:\n", "\n"), between(steered.out(), "unsteered:\n", "\n"));
        assertNotEquals(between(steered.out(), "unsteered:\n", "\n"),
                steered.out().split("\nsteered \\(")[1].split("\n", 2)[1].strip(), "40 · W_dec[5] changes the text");
    }

    @Test
    void steerBadInput() {
        String[] base = {"steer", "--sae", sae.toString(), "--model", model.toString(), "--tokenizer",
            tokenizer.toString(), "--prompt", "the cat"};
        assertBadInput(Cli.run(append(base, "--feature", "24")), "feature 24");
        assertBadInput(Cli.run(append(base, "--feature", "-1")), "--feature");
        assertBadInput(Cli.run(append(base, "--feature", "1", "--top-p", "2")), "--top-p");
        assertBadInput(Cli.run("steer", "--sae", sae.toString(), "--feature", "1", "--prompt", "x"), "model");
    }

    private static String[] withCoefficient(String[] args, String c) {
        return append(args, "--coefficient", c, "--temperature", "0");
    }

    private static String[] append(String[] a, String... more) {
        String[] all = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return all;
    }

    private static String between(String s, String from, String to) {
        int i = s.indexOf(from) + from.length();
        return s.substring(i, s.indexOf(to, i)).strip();
    }

    private static void assertBadInput(Cli r, String mentioned) {
        assertEquals(Main.BAD_INPUT, r.exit(), "exit code\n" + r);
        assertEquals(1, r.err().lines().count(), "exactly one line on stderr\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace\n" + r);
        assertTrue(r.err().contains(mentioned), "the line names '" + mentioned + "'\n" + r);
    }
}
