package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.SafetensorsWriter;

/**
 * Bad input through the real entry point: exit code 2, exactly one line on stderr, no stack trace, and no output
 * left behind (no run folder, no eval.json).
 */
class BadInputTest {
    @TempDir
    Path tmp;

    @Test
    void missingDataFile() {
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--data", tmp.resolve("nope.npy").toString(), "--out", out.toString());
        assertBadInput(r, "nope.npy");
        assertFalse(Files.exists(out), "no output folder for a run that could not start");
    }

    @Test
    void unknownArchitecture() {
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--architecture", "transcoder", "--out", out.toString());
        assertBadInput(r, "transcoder");
        assertFalse(Files.exists(out), "no output folder");
    }

    @Test
    void unknownHdf5Dataset() throws IOException {
        Path h5 = tmp.resolve("acts.h5");
        try (WritableHdfFile f = HdfFile.write(h5)) {
            f.putDataset("resid", new float[64][8]);
        }
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--data", h5.toString(), "--dataset", "/blocks.2.hook_resid_post", "--out",
                out.toString());
        assertBadInput(r, "blocks.2.hook_resid_post");
        assertFalse(Files.exists(out), "no output folder");
    }

    @Test
    void nanInTheData() throws IOException {
        float[] rows = randomRows(2048, 8, 1);
        rows[700 * 8 + 3] = Float.NaN;
        Path data = safetensors(tmp.resolve("nan.safetensors"), rows, 2048, 8);
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--data", data.toString(), "--d-sae", "16", "--k", "2", "--batch-size", "256",
                "--total-tokens", "4096", "--init-sample-rows", "512", "--out", out.toString());
        assertBadInput(r, "NaN");
        assertFalse(Files.exists(out), "a run that failed before its first checkpoint leaves no folder");
    }

    @Test
    void dimensionMismatchBetweenSaeAndData() throws IOException {
        Path sae = tmp.resolve("sae");
        Path data8 = safetensors(tmp.resolve("d8.safetensors"), randomRows(1024, 8, 2), 1024, 8);
        Cli train = Cli.run("train", "--data", data8.toString(), "--d-sae", "16", "--k", "2", "--batch-size",
                "256", "--total-tokens", "2048", "--init-sample-rows", "256", "--eval-tokens", "256", "--out",
                sae.toString());
        assertEquals(Main.OK, train.exit(), train.toString());
        Path data6 = safetensors(tmp.resolve("d6.safetensors"), randomRows(1024, 6, 3), 1024, 6);
        Path evalJson = tmp.resolve("eval-6.json");
        Cli r = Cli.run("eval", "--sae", sae.toString(), "--data", data6.toString(), "--out", evalJson.toString());
        assertBadInput(r, "d_in");
        assertFalse(Files.exists(evalJson), "no eval.json for a failed evaluation");
    }

    @Test
    void missingSaeFolderAndBadFlagValues() {
        assertBadInput(Cli.run("info", tmp.resolve("absent").toString()), "absent");
        assertBadInput(Cli.run("eval", "--sae", tmp.resolve("absent").toString()), "absent");
        assertBadInput(Cli.run("train", "--lr", "fast", "--out", tmp.resolve("r").toString()), "lr");
        assertBadInput(Cli.run("train", "--no-such-flag"), "no-such-flag");
        assertBadInput(Cli.run("frobnicate"), "frobnicate");
        assertFalse(Files.exists(tmp.resolve("r")), "no output folder");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli r = Cli.run("info", tmp.resolve("absent").toString(), "--verbose");
        assertEquals(Main.BAD_INPUT, r.exit(), r.toString());
        assertTrue(r.err().lines().count() > 1 && r.err().contains("\tat "), "--verbose prints the trace\n" + r);
    }

    static void assertBadInput(Cli r, String mentioned) {
        assertEquals(Main.BAD_INPUT, r.exit(), "exit code\n" + r);
        assertEquals(1, r.err().lines().count(), "exactly one line on stderr\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace\n" + r);
        assertTrue(r.err().contains(mentioned), "the line names '" + mentioned + "'\n" + r);
    }

    private static float[] randomRows(int rows, int dIn, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[rows * dIn];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static Path safetensors(Path file, float[] rows, int n, int dIn) throws IOException {
        new SafetensorsWriter().put("acts", new long[] {n, dIn}, rows).write(file);
        return file;
    }
}
