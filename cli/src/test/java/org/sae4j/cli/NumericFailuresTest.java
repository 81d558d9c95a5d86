package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsWriter;

/**
 * Bad numbers through the command line: NaN rows skipped with {@code --non-finite-inputs skip} (the run and its
 * evaluation finish and report the count), and a diverging run (exit 3, one line saying what diverged, no folder
 * left when no checkpoint had been written). The trainer-level cases are trainer's TrainerFailuresTest.
 */
class NumericFailuresTest {
    @TempDir
    Path tmp;

    @Test
    void skippedNanRowsAreReportedAndTheRunFinishes() throws IOException {
        float[] rows = HostileFiles.rows(2048, 8);
        for (int r : new int[] {3, 700, 1999}) {
            rows[r * 8 + 5] = Float.NaN;
        }
        Path data = tmp.resolve("nan.safetensors");
        new SafetensorsWriter().put("acts", new long[] {2048, 8}, rows).write(data);
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--data", data.toString(), "--non-finite-inputs", "skip", "--d-sae", "16", "--k",
                "2", "--batch-size", "256", "--total-tokens", "4096", "--init-sample-rows", "512", "--eval-tokens",
                "1024", "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.toString());
        assertTrue(r.err().contains("warning: skipping activation rows that hold NaN or Inf (first: " + data
                + " tensor 'acts': row "), "one warning naming the first row\n" + r);
        // 4096 training rows from two epochs of 2045 good rows: the three bad rows are met twice, or once more.
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        JsonNode last = Json.mapper().readTree(lines.get(lines.size() - 1));
        long skipped = last.get("skipped_rows").asLong();
        assertTrue(skipped >= 6 && skipped <= 9, "skipped_rows " + skipped);
        assertTrue(r.out().contains(String.format("skipped %,d activation rows holding NaN or Inf", skipped)),
                "the count is printed\n" + r);
        assertTrue(Files.readString(out.resolve("README.md")).contains("- skipped " + skipped + " activation rows"),
                "and written into the run's README");
        assertTrue(Json.readTree(out.resolve("eval.json")).at("/reconstruction/explained_variance").isNumber(),
                "the evaluation on the same data skips them too");

        // eval of the same file: stops on the first bad row by default, naming the option; skips when told.
        Cli stop = Cli.run("eval", "--sae", out.toString(), "--data", data.toString(), "--tokens", "2048",
                "--out", tmp.resolve("stop.json").toString());
        assertEquals(Main.BAD_INPUT, stop.exit(), stop.toString());
        assertTrue(stop.err().contains("holds NaN at column 5 (--non-finite-inputs skip drops such rows)"),
                stop.toString());
        assertTrue(Files.notExists(tmp.resolve("stop.json")), "no eval.json from a stopped evaluation");
        Cli skip = Cli.run("eval", "--sae", out.toString(), "--data", data.toString(), "--tokens", "2048",
                "--non-finite-inputs", "skip", "--out", tmp.resolve("skip.json").toString());
        assertEquals(Main.OK, skip.exit(), skip.toString());
        assertTrue(skip.out().contains("skipped 3 activation rows holding NaN or Inf (first: " + data), skip::toString);
    }

    /**
     * A [batch, seq, d] cache, as TransformerLens-style harvesting saves it, trains as its batch·seq rows, and a bad
     * row is named by its index in the stored shape as well, so the user can find it in their array.
     */
    @Test
    void aBatchBySequenceArrayTrainsAsItsRowsAndABadRowIsNamedByItsIndex() throws IOException {
        float[] rows = HostileFiles.rows(2048, 8); // [16, 128, 8]
        rows[(3 * 128 + 5) * 8 + 2] = Float.NaN;  // batch 3, position 5
        Path data = tmp.resolve("cache.safetensors");
        new SafetensorsWriter().put("resid", new long[] {16, 128, 8}, rows).write(data);
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--data", data.toString(), "--non-finite-inputs", "skip", "--d-sae", "16", "--k",
                "2", "--batch-size", "256", "--total-tokens", "2048", "--init-sample-rows", "512", "--eval-tokens",
                "1024", "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.toString());
        assertEquals(8, Json.readTree(out.resolve("cfg.json")).get("d_in").asInt(), "d_in is the last dimension");
        assertTrue(r.err().contains("(first: " + data + " tensor 'resid': row 389 (index [3, 5]) holds NaN at "
                + "column 2"), "the skipped row, by row and by index\n" + r);

        assertTrue(Json.readTree(out.resolve("eval.json")).at("/reconstruction/explained_variance").isNumber(),
                "the evaluation on the same array\n" + r);
    }

    @Test
    void aDivergingRunExitsThreeWithOneLine() {
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--d-in", "16", "--n-features", "32", "--d-sae", "64", "--k", "4", "--lr", "1e30",
                "--lr-warmup-steps", "0", "--batch-size", "256", "--total-tokens", "8192", "--init-sample-rows", "512",
                "--checkpoint-every-steps", "8", "--out", out.toString());
        assertEquals(Main.DIVERGED, r.exit(), r.toString());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("sae4j train: ")).toList();
        assertEquals(1, errors.size(), r.toString());
        assertTrue(errors.get(0).startsWith("sae4j train: training diverged at step ")
                && errors.get(0).contains("no checkpoint had been written yet")
                && errors.get(0).endsWith("try a lower --lr (now 1.0E30)"), errors.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace\n" + r);
        assertFalse(Files.exists(out), "no folder from a run that diverged before its first checkpoint");
    }
}
