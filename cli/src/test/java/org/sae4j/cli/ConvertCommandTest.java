package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.dictionary.SparsifyFormat;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;
import org.sae4j.formats.TensorInfo;

/** {@code sae4j convert}, and {@code info}/{@code eval} on either format, run in-process through {@link Main}. */
class ConvertCommandTest {
    static final int D_IN = 8;
    static final int D_SAE = 32;

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run sae4j(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A sparsify run folder (run/config.json, run/layers.0/) holding a TopK SAE stored as {@code dtype}. */
    private Path sparsifyRun(DType dtype) throws IOException {
        Path run = tmp.resolve("run");
        Sae sae = Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(4)), 3);
        SparsifyFormat.save(sae, dtype, run.resolve("layers.0"));
        Files.writeString(run.resolve("config.json"), "{\"model\": \"EleutherAI/pythia-70m\", \"hookpoints\":"
                + " [\"layers.0\"]}");
        return run;
    }

    static Map<String, String> tensorsOf(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (TensorInfo t : r.tensors()) {
                StringBuilder bits = new StringBuilder();
                for (float v : r.readFloats(t.name())) {
                    bits.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
                }
                out.put(t.name(), t.dtype() + java.util.Arrays.toString(t.shape()) + " " + bits);
            }
        }
        return out;
    }

    private static void assertBadInput(Run r, String expected) {
        assertEquals(Main.BAD_INPUT, r.code(), "exit code; stderr: " + r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line on stderr: " + r.err());
        assertTrue(line.startsWith("sae4j ") && line.contains(expected), "stderr: " + r.err());
    }

    /** Nothing but {@code names} in the folder: no half-written output, no leftover temp folder. */
    private static void assertOnly(Path dir, String... names) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(names), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void sparsifyToSaeLensAndBackIsIdentical() throws IOException {
        Path run = sparsifyRun(DType.BF16);
        Path saelens = tmp.resolve("saelens");
        Run there = sae4j("convert", "--to", "saelens", "--hookpoint", "layers.0", run.toString(),
                saelens.toString());
        assertEquals(Main.OK, there.code(), there.err());
        assertTrue(there.out().contains("(sparsify, bfloat16)") && there.out().contains("(saelens, bfloat16)")
                && there.out().contains("topk k=4, d_in 8, d_sae 32"), there.out());
        assertEquals("bfloat16", Json.readTree(saelens.resolve("cfg.json")).get("dtype").asText(),
                "the input's dtype is kept by default");
        assertEquals("EleutherAI/pythia-70m", Json.readTree(saelens.resolve("cfg.json")).get("metadata")
                .get("model_name").asText(), "the run's model is carried over");

        Path back = tmp.resolve("back");
        Run again = sae4j("convert", "--from", "saelens", "--to", "sparsify", saelens.toString(), back.toString());
        assertEquals(Main.OK, again.code(), again.err());
        assertEquals(tensorsOf(run.resolve("layers.0/sae.safetensors")), tensorsOf(back.resolve("sae.safetensors")),
                "tensors after sparsify → SAELens → sparsify");
        assertEquals(Json.readTree(run.resolve("layers.0/cfg.json")), Json.readTree(back.resolve("cfg.json")));
        assertTrue(again.out().contains("note: sparsify's cfg.json has no metadata"), again.out());
        assertOnly(tmp, "back", "run", "saelens");
    }

    @Test
    void helpIsShownDespiteRequiredOptions() {
        Run r = sae4j("convert", "--help");
        assertEquals(Main.OK, r.code(), r.err());
        assertTrue(r.out().contains("usage: sae4j convert [options] IN OUT") && r.out().contains("--dtype"), r.out());
        Run eval = sae4j("eval", "--help");
        assertEquals(Main.OK, eval.code(), eval.err());
        assertTrue(eval.out().contains("--hookpoint"), eval.out());
    }

    @Test
    void dtypeChoosesWhatIsWrittenAndNarrowingIsSaid() throws IOException {
        Path sae = tmp.resolve("sae");
        SaeLensFormat.save(Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.Standard()), 5), null,
                DType.F32, sae);
        Path half = tmp.resolve("half");
        Run r = sae4j("convert", "--to", "saelens", "--dtype", "float16", sae.toString(), half.toString());
        assertEquals(Main.OK, r.code(), r.err());
        assertTrue(r.out().contains("note: weights rounded from float32 to float16"), r.out());
        assertEquals("float16", Json.readTree(half.resolve("cfg.json")).get("dtype").asText());
        try (SafetensorsReader reader = SafetensorsReader.open(half.resolve("sae_weights.safetensors"))) {
            assertTrue(reader.tensors().stream().allMatch(t -> t.dtype() == DType.F16), reader.tensors().toString());
        }
        Run wide = sae4j("convert", "--to", "saelens", "--dtype", "float32", half.toString(),
                tmp.resolve("wide").toString());
        assertEquals(Main.OK, wide.code(), wide.err());
        assertFalse(wide.out().contains("rounded"), "float16 → float32 is exact: " + wide.out());

        // Without --to, only the dtype changes: a sparsify folder stays one.
        Path in = sparsifyRun(DType.F32).resolve("layers.0");
        Path bf16 = tmp.resolve("bf16");
        Run dtypeOnly = sae4j("convert", "--dtype", "bfloat16", in.toString(), bf16.toString());
        assertEquals(Main.OK, dtypeOnly.code(), dtypeOnly.err());
        assertTrue(dtypeOnly.out().contains("(sparsify, bfloat16)"), dtypeOnly.out());
        assertOnly(bf16, "cfg.json", "sae.safetensors");
        try (SafetensorsReader reader = SafetensorsReader.open(bf16.resolve("sae.safetensors"))) {
            assertTrue(reader.tensors().stream().allMatch(t -> t.dtype() == DType.BF16), reader.tensors().toString());
        }
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws IOException {
        Path run = sparsifyRun(DType.F32);
        Path in = run.resolve("layers.0");
        String out = tmp.resolve("out").toString();

        assertBadInput(sae4j("convert", "--to", "saelens", tmp.resolve("missing").toString(), out),
                "missing: no such SAE folder");
        assertBadInput(sae4j("convert", "--to", "saelens", run.toString(), out),
                "holds SAEs for 1 hookpoints (layers.0); choose one with --hookpoint NAME");
        assertBadInput(sae4j("convert", "--to", "saelens", "--dtype", "fp8", in.toString(), out),
                "unknown weight dtype 'fp8' (float32, float16 or bfloat16)");
        assertBadInput(sae4j("convert", "--to", "dictionary_learning", in.toString(), out),
                "unknown SAE format 'dictionary_learning'");
        assertBadInput(sae4j("convert", "--from", "saelens", "--to", "saelens", in.toString(), out),
                "holds a sparsify folder (sae.safetensors), not saelens");
        assertBadInput(sae4j("convert", "--to", "saelens", in.toString()), "expected an input and an output folder");
        assertBadInput(sae4j("convert", in.toString(), out), "nothing to change: give --to FORMAT, --dtype TYPE or both");
        assertBadInput(sae4j("convert", "--to", "saelens", in.toString(), run.toString()),
                "already exists; give a new folder");

        String goodCfg = Files.readString(in.resolve("cfg.json"));
        Files.writeString(in.resolve("cfg.json"), "{\"k\": 4, \"d_in\": 8,");
        assertBadInput(sae4j("convert", "--to", "saelens", in.toString(), out), "cfg.json: not valid JSON");
        Files.writeString(in.resolve("cfg.json"), goodCfg.replace("\"num_latents\" : 32", "\"num_latents\" : 16"));
        assertBadInput(sae4j("convert", "--to", "saelens", in.toString(), out),
                "encoder.weight has shape [32, 8], cfg.json (d_in 8, 16 latents) implies [16, 8]");
        Files.writeString(in.resolve("cfg.json"), goodCfg);

        // Refused while writing: the half-built folder must vanish.
        Path standard = tmp.resolve("standard");
        SaeLensFormat.save(Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.Standard()), 5), null,
                DType.F32, standard);
        assertBadInput(sae4j("convert", "--to", "sparsify", standard.toString(), out), "TopK SAEs only");
        assertOnly(tmp, "run", "standard");
    }

    @Test
    void infoAndEvalReadEitherFormat() throws IOException {
        Path run = sparsifyRun(DType.BF16);
        Run info = sae4j("info", "--hookpoint", "layers.0", run.toString());
        assertEquals(Main.OK, info.code(), info.err());
        assertTrue(info.out().contains("(sparsify folder, bfloat16 weights)")
                && info.out().contains("encoder.weight BF16[32, 8]") && info.out().contains("topk (k = 4)"),
                info.out());
        assertBadInput(sae4j("info", run.toString()), "--hookpoint");

        float[] rows = new float[512 * D_IN];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) random.nextGaussian();
        }
        Path data = tmp.resolve("acts.safetensors");
        new SafetensorsWriter().put("acts", new long[] {512, D_IN}, rows).write(data);
        Path evalJson = tmp.resolve("eval.json");
        Run eval = sae4j("eval", "--sae", run.toString(), "--hookpoint", "layers.0", "--data", data.toString(),
                "--dataset", "acts", "--tokens", "512", "--batch-size", "128", "--out", evalJson.toString());
        assertEquals(Main.OK, eval.code(), eval.err());
        assertTrue(eval.out().contains("(sparsify)"), eval.out());
        assertTrue(Json.readTree(evalJson).isObject(), "eval.json written");
    }

    @Test
    void trainWritesTheChosenDtype() throws IOException {
        Path out = tmp.resolve("train");
        Run r = sae4j("train", "--d-in", "8", "--n-features", "16", "--mean-active", "2", "--groups", "0",
                "--d-sae", "32", "--k", "4", "--total-tokens", "2048", "--batch-size", "256",
                "--init-sample-rows", "512", "--lr-warmup-steps", "1", "--l1-warmup-steps", "1",
                "--checkpoint-every-steps", "0", "--log-every-steps", "2", "--eval-tokens", "512",
                "--dtype", "bfloat16", "--out", out.toString());
        assertEquals(Main.OK, r.code(), r.err());
        assertEquals("bfloat16", Json.readTree(out.resolve("cfg.json")).get("dtype").asText());
        try (SafetensorsReader reader = SafetensorsReader.open(out.resolve("sae_weights.safetensors"))) {
            assertTrue(reader.tensors().stream().allMatch(t -> t.dtype() == DType.BF16), reader.tensors().toString());
        }
        assertEquals("bfloat16", Json.readTree(out.resolve("run.json")).get("run").get("dtype").asText());
        assertBadInput(sae4j("train", "--dtype", "int8", "--out", tmp.resolve("t2").toString()),
                "unknown weight dtype 'int8'");
    }
}
