package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.Json;

/**
 * The whole loop through the CLI on synthetic superposition with known features, sized to run in seconds: train
 * writes a complete folder and recovers the true features; info and eval read that folder back.
 */
class TrainEndToEndTest {
    /** Recovery this small problem reaches reliably; the README's default run reports its own, larger numbers. */
    private static final double MIN_MMCS = 0.95;
    private static final double MIN_MATCHED = 0.9;

    @TempDir
    Path tmp;

    @Test
    void trainRecoversTrueFeaturesAndWritesACompleteFolder() throws Exception {
        Path out = tmp.resolve("run");
        Cli train = Cli.run("train", "--d-in", "32", "--n-features", "96", "--mean-active", "2",
                "--expansion-factor", "4", "--k", "4", "--total-tokens", "400000", "--batch-size", "512",
                "--lr", "0.01", "--init-sample-rows", "4096", "--eval-tokens", "50000", "--out", out.toString());
        assertEquals(Main.OK, train.exit(), train.toString());

        for (String f : List.of("cfg.json", "sae_weights.safetensors", "sparsity.safetensors", "metrics.jsonl",
                "eval.json", "run.json", "README.md")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "output folder lacks " + f + "\n" + train);
        }
        JsonNode eval = Json.readTree(out.resolve("eval.json"));
        double mmcs = eval.at("/ground_truth/mmcs").asDouble();
        double matched = eval.at("/ground_truth/fraction_matched").asDouble();
        assertTrue(mmcs >= MIN_MMCS, "MMCS " + mmcs + " < " + MIN_MMCS + "\n" + train);
        assertTrue(matched >= MIN_MATCHED, "matched " + matched + " < " + MIN_MATCHED + "\n" + train);
        assertTrue(eval.at("/reconstruction/explained_variance").asDouble() > 0.7, "explained variance\n" + train);
        double l0 = eval.at("/sparsity/l0").asDouble();
        assertTrue(l0 <= 4.0 && l0 > 3.5, "TopK L0 is at most k (a chosen latent below zero stays off): " + l0);
        assertTrue(train.out().contains("ground truth MMCS"), "train prints the recovery\n" + train);
        // Tests run the generic natives on every machine: surefire leaves the AVX2 and AVX-512 ones off their
        // classpath.
        assertTrue(train.out().contains("\nnd4j natives: generic"), "train says which natives run\n" + train);
        assertTrue(Files.readString(out.resolve("README.md")).contains("\n- nd4j natives: generic "),
                "the run's README records them");

        Cli info = Cli.run("info", out.toString());
        assertEquals(Main.OK, info.exit(), info.toString());
        assertTrue(info.out().contains("topk") && info.out().contains("128"), "info shows architecture and d_sae\n"
                + info);

        Path evalJson = tmp.resolve("again.json");
        Cli again = Cli.run("eval", "--sae", out.toString(), "--tokens", "50000", "--out", evalJson.toString());
        assertEquals(Main.OK, again.exit(), again.toString());
        JsonNode second = Json.readTree(evalJson);
        assertEquals(mmcs, second.at("/ground_truth/mmcs").asDouble(), 1e-12,
                "eval of the saved folder on the recorded synthetic source reproduces train's MMCS");
    }
}
