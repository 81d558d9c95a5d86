package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.activations.Hdf5ShardWriter;
import org.sae4j.activations.model.ActivationCapture;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.Corpus;
import org.sae4j.activations.model.CorpusFormat;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.formats.Json;

/** generate, loss, harvest and train on the shared stories260K, end to end through {@link Main#run}. */
class ModelCommandsTest {

    @TempDir
    Path dir;

    private static String[] model() {
        return new String[] {"--model", SharedData.file("stories260K.bin"), "--tokenizer", SharedData.file("tok512.bin")};
    }

    private static String[] args(String command, String[] first, String... rest) {
        String[] all = new String[1 + first.length + rest.length];
        all[0] = command;
        System.arraycopy(first, 0, all, 1, first.length);
        System.arraycopy(rest, 0, all, 1 + first.length, rest.length);
        return all;
    }

    @Test
    void generateGreedyReproducesTheReferenceTokenForToken() {
        JsonNode ref = Json.readTree(Path.of(SharedData.file("reference-greedy-once-upon-a-time.json")));
        Cli r = Cli.run(args("generate", model(), "--prompt", "Once upon a time", "--steps", "64", "--ids"));
        assertEquals(0, r.exit(), r::toString);
        String[] lines = r.out().strip().split("\n");
        int[] ids = Arrays.stream(lines[lines.length - 1].replaceAll("[\\[\\]\\s]", "").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int[] expected = new int[ref.get("ids").size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = ref.get("ids").get(i).asInt();
        }
        assertArrayEquals(expected, ids, "greedy ids vs the reference C implementation");
        assertTrue(r.out().startsWith("Once upon a time"), r::toString);
    }

    @Test
    void lossPrintsTheMeanInTheRangeTheAuthorsReport() {
        Cli r = Cli.run(args("loss", model(), "--text", SharedData.file("tinystories-valid-head.txt"),
                "--documents", "150"));
        assertEquals(0, r.exit(), r::toString);
        double nats = Double.parseDouble(r.out().strip().split(" ")[0]);
        assertTrue(nats > 1.0 && nats < 1.7, "loss " + nats + " outside [1.0, 1.7] (README: about 1.2-1.5)");
        assertTrue(r.out().contains("of 150 documents"), r::toString);
    }

    @Test
    void harvestReadsBackExactlyAndTrainsAndEvaluatesAsOneSource() throws IOException {
        Path out = dir.resolve("acts");
        String text = SharedData.file("tinystories-valid-head.txt");
        Cli h = Cli.run(args("harvest", model(), "--text", text, "--text-format", "blank-lines", "--layer", "2",
                "--hook", "resid_post", "--tokens", "3000", "--context-size", "128", "--batch-tokens", "1000000",
                "--shard-rows", "1100", "--out", out.toString()));
        assertEquals(0, h.exit(), h::toString);
        assertEquals(List.of("harvest.json", "part-000000.h5", "part-000001.h5", "part-000002.h5"), list(out));
        JsonNode summary = Json.readTree(out.resolve("harvest.json"));
        assertEquals(3000, summary.get("rows").asLong());
        assertEquals("blocks.2.hook_resid_post", summary.get("hook_name").asText());

        // The same windows through the same single forward pass (batch-tokens covers them all): exact.
        LlamaModel m = LlamaModel.load(Path.of(SharedData.file("stories260K.bin")));
        Tokenizer tok = Tokenizer.load(Path.of(SharedData.file("tok512.bin")), 512);
        List<ContextWindow> windows = ContextWindows.build(Corpus.read(Path.of(text), CorpusFormat.BLANK_LINES),
                tok, 128, WindowPolicy.TRUNCATE);
        int used = 0;
        for (int rows = 0; rows < 3000; used++) {
            rows += windows.get(used).harvestCount();
        }
        ActivationCapture.Rows expected = new ActivationCapture(m, List.of(new HookPoint(2, HookKind.RESID_POST)),
                1_000_000).run(windows.subList(0, used));
        float[] acts = new float[3000 * 64];
        int[] ids = new int[3000];
        int[] pos = new int[3000];
        long[] win = new long[3000];
        int at = 0;
        for (String shard : List.of("part-000000.h5", "part-000001.h5", "part-000002.h5")) {
            try (HdfFile f = new HdfFile(out.resolve(shard))) {
                float[][] a = (float[][]) f.getDatasetByPath(Hdf5ShardWriter.ACTIVATIONS).getData();
                int[] t = (int[]) f.getDatasetByPath(Hdf5ShardWriter.TOKEN_IDS).getData();
                int[] p = (int[]) f.getDatasetByPath(Hdf5ShardWriter.POSITIONS).getData();
                long[] w = (long[]) f.getDatasetByPath(Hdf5ShardWriter.WINDOWS).getData();
                for (int r = 0; r < a.length; r++) {
                    System.arraycopy(a[r], 0, acts, (at + r) * 64, 64);
                }
                System.arraycopy(t, 0, ids, at, t.length);
                System.arraycopy(p, 0, pos, at, p.length);
                System.arraycopy(w, 0, win, at, w.length);
                at += a.length;
            }
        }
        assertEquals(3000, at);
        assertArrayEquals(Arrays.copyOf(expected.activations().get(0), 3000 * 64), acts, 0f, "activations");
        assertArrayEquals(Arrays.copyOf(expected.tokenIds(), 3000), ids, "token ids");
        assertArrayEquals(Arrays.copyOf(expected.positions(), 3000), pos, "positions");
        assertArrayEquals(Arrays.stream(Arrays.copyOf(expected.windows(), 3000)).asLongStream().toArray(), win,
                "windows");
        assertTrue(Arrays.stream(pos).allMatch(p -> p > 0), "position 0 is BOS and is not harvested");

        Path run = dir.resolve("run");
        Cli t = Cli.run("train", "--data", out.toString(), "--d-sae", "256", "--k", "8", "--total-tokens", "4096",
                "--batch-size", "512", "--lr-warmup-steps", "1", "--init-sample-rows", "1000",
                "--shuffle-buffer-rows", "1000", "--eval-tokens", "1000", "--out", run.toString());
        assertEquals(0, t.exit(), t::toString);
        assertTrue(Files.isRegularFile(run.resolve("sae_weights.safetensors")), t::toString);
        Cli e = Cli.run("eval", "--sae", run.toString(), "--data", out.toString(), "--tokens", "3000");
        assertEquals(0, e.exit(), e::toString);
        assertTrue(e.out().contains("tokens evaluated             3,000"), e::toString);
    }

    @Test
    void trainFromTheLiveModelOneSaePerHookPointFromOnePass() throws IOException {
        Path text = SharedData.smallText(dir, 60);
        Path run = dir.resolve("live");
        Cli t = Cli.run(args("train", model(), "--text", text.toString(), "--layer", "1,2", "--hook", "resid_post",
                "--context-size", "128", "--d-sae", "128", "--k", "4", "--total-tokens", "3000", "--batch-size", "500",
                "--lr-warmup-steps", "1", "--init-sample-rows", "1000", "--shuffle-buffer-rows", "2000",
                "--eval-tokens", "500", "--out", run.toString()));
        assertEquals(0, t.exit(), t::toString);
        for (String hook : List.of("blocks.1.hook_resid_post", "blocks.2.hook_resid_post")) {
            JsonNode cfg = Json.readTree(run.resolve(hook).resolve("cfg.json"));
            assertEquals(hook, cfg.path("metadata").path("hook_name").asText());
            assertEquals(64, cfg.path("d_in").asInt());
            assertTrue(Files.isRegularFile(run.resolve(hook).resolve("eval.json")));
        }
        Cli e = Cli.run("eval", "--sae", run.resolve("blocks.2.hook_resid_post").toString(), "--text",
                text.toString(), "--tokens", "800");
        assertEquals(0, e.exit(), e::toString);
        assertTrue(e.out().contains("tokens evaluated             800"), e::toString);
    }

    /** Every SAE of a multi-hook-point run says what happens to it, not only the first (whose progress shows). */
    @Test
    void warningsOfEverySaeOfALiveRunAreShownNamed() throws IOException {
        Path text = SharedData.smallText(dir, 60);
        Cli t = Cli.run(args("train", model(), "--text", text.toString(), "--layer", "1,2", "--hook", "resid_post",
                "--context-size", "128", "--architecture", "standard", "--d-sae", "128", "--total-tokens", "3000",
                "--batch-size", "500", "--lr-warmup-steps", "1", "--init-sample-rows", "1000",
                "--shuffle-buffer-rows", "2000", "--resample-every-steps", "3", "--eval-tokens", "500", "--out",
                dir.resolve("live").toString()));
        assertEquals(0, t.exit(), t::toString);
        assertTrue(t.err().lines().anyMatch(l -> l.startsWith("resampled ") && l.endsWith(" after step 3")),
                "the first SAE's warning: " + t.err());
        assertTrue(t.err().lines().anyMatch(l -> l.startsWith("blocks.2.hook_resid_post: resampled ")
                && l.endsWith(" after step 3")), "the second SAE's warning, named: " + t.err());
    }

    @Test
    void liveTrainingResumedFromACheckpointEndsBitIdentical() throws IOException {
        Path text = SharedData.smallText(dir, 40);
        Path whole = dir.resolve("whole");
        Path resumed = dir.resolve("resumed");
        for (Path run : List.of(whole, resumed)) {
            Cli t = Cli.run(args("train", model(), "--text", text.toString(), "--layer", "2", "--context-size", "64",
                    "--d-sae", "128", "--k", "4", "--total-tokens", "2048", "--batch-size", "256",
                    "--lr-warmup-steps", "1", "--init-sample-rows", "512", "--shuffle-buffer-rows", "700",
                    "--checkpoint-every-steps", "3", "--eval-tokens", "256", "--out", run.toString()));
            assertEquals(0, t.exit(), t::toString);
        }
        // Forget everything after step 6 of the second run (one shuffle block is ~700 rows, so the cursor at row
        // 1,536 sits inside a later block than the one the run started in), then resume it to step 8.
        Path checkpoints = resumed.resolve("checkpoints");
        try (Stream<Path> s = Files.list(checkpoints)) {
            for (Path c : s.toList()) {
                if (!c.getFileName().toString().equals("step-000000006")) {
                    deleteTree(c);
                }
            }
        }
        for (String f : List.of("cfg.json", "sae_weights.safetensors", "sparsity.safetensors", "eval.json")) {
            Files.delete(resumed.resolve(f));
        }
        Cli r = Cli.run(args("train", model(), "--text", text.toString(), "--layer", "2", "--context-size", "64",
                "--d-sae", "128", "--k", "4", "--total-tokens", "2048", "--batch-size", "256",
                "--lr-warmup-steps", "1", "--init-sample-rows", "512", "--shuffle-buffer-rows", "700",
                "--checkpoint-every-steps", "3", "--eval-tokens", "256", "--out", resumed.toString(), "--resume"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.err().contains("resumed at step 6 of 8"), r::toString);
        assertArrayEquals(Files.readAllBytes(whole.resolve("sae_weights.safetensors")),
                Files.readAllBytes(resumed.resolve("sae_weights.safetensors")),
                "weights after resuming at step 6 equal the uninterrupted run's, byte for byte");
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static List<String> list(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
