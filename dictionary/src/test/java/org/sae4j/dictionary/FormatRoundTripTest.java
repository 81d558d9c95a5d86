package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sae4j.formats.BFloat16;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Float16;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.TensorInfo;

/** Save → load round trips through both formats, the conversions between them, and folder detection. */
class FormatRoundTripTest {
    static final int D_IN = PythonFormatsTest.D_IN;
    static final int D_SAE = PythonFormatsTest.D_SAE;

    @TempDir
    Path tmp;

    /** Every tensor of {@code file} by name: its dtype, shape and exact float bits. */
    static Map<String, String> tensorsOf(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
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

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void sparsifyToSaeLensToSparsifyGivesIdenticalTensorsAndConfig(String dtype) throws IOException {
        Path original = PythonFormatsTest.sparsifyRun(tmp.resolve("run"), dtype, PythonFormatsTest.sparsifyParams(3));
        LoadedSae fromSparsify = SparsifyFormat.read(original);
        Path saelens = tmp.resolve("saelens");
        SaeLensFormat.save(fromSparsify.sae(), null, fromSparsify.weightsDType(), saelens);
        LoadedSae fromSaeLens = SaeLensFormat.read(saelens);
        assertFalse(SaeLensConfig.read(saelens.resolve("cfg.json")).legacy(), "sae4j writes 6.x cfg.json");
        assertEquals(DType.valueOf(dtype), fromSaeLens.weightsDType(), "the dtype carries through");
        Path back = tmp.resolve("back");
        List<String> notes = SparsifyFormat.save(fromSaeLens.sae(), fromSaeLens.weightsDType(), back);

        assertEquals(tensorsOf(original.resolve("sae.safetensors")), tensorsOf(back.resolve("sae.safetensors")),
                "tensors (names, dtypes, shapes, bits) after sparsify → SAELens → sparsify");
        assertEquals(Json.readTree(original.resolve("cfg.json")), Json.readTree(back.resolve("cfg.json")),
                "cfg.json after the round trip");
        assertTrue(notes.stream().anyMatch(n -> n.contains("model_name")), "metadata sparsify cannot keep is named: "
                + notes);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void saeLensSaveLoadRoundsToTheChosenDtype(DType dtype) throws IOException {
        SaeConfig config = new SaeConfig(D_IN, D_SAE, new Architecture.TopK(2), false, "none",
                Map.of("hook_name", "blocks.0.hook_resid_post", "sae_lens_version", "6.9.9"));
        Sae sae = Sae.initialize(config, 7);
        float[] logSparsity = {-1.25f, -2f, -10f, -0.5f, -3.75f, -4f};
        SaeLensFormat.save(sae, logSparsity, dtype, tmp);
        LoadedSae loaded = SaeLensFormat.read(tmp);
        assertEquals(dtype, loaded.weightsDType());
        assertEquals(config.architecture(), loaded.sae().config().architecture());
        assertFalse(loaded.sae().config().applyBDecToInput());
        assertEquals("blocks.0.hook_resid_post", loaded.sae().config().metadata().get("hook_name"));
        assertTrue(loaded.notes().isEmpty(), loaded.notes().toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(logSparsity, loaded.logSparsity(), "sparsity is float32");
        JsonNode cfg = Json.readTree(tmp.resolve("cfg.json"));
        assertEquals(dtype.torchName(), cfg.get("dtype").asText());
        assertEquals(SaeLensFormat.LAYOUT_VERSION, cfg.get("metadata").get("sae_lens_version").asText(),
                "the version written is the layout's, so SAELens reads the folder as 6.x");
        Map<String, float[]> before = sae.tensors();
        Map<String, float[]> after = loaded.sae().tensors();
        for (String name : before.keySet()) {
            float[] b = before.get(name);
            float[] a = after.get(name);
            for (int i = 0; i < b.length; i++) {
                float expected = switch (dtype) {
                    case F16 -> Float16.toFloat(Float16.fromFloat(b[i]));
                    case BF16 -> BFloat16.toFloat(BFloat16.fromFloat(b[i]));
                    default -> b[i];
                };
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(a[i]),
                        name + "[" + i + "] must be the " + dtype + " rounding of " + b[i]);
            }
        }
    }

    @Test
    void rawInputSaeLensTopKConvertsToSparsifyWithTheSameLatents() throws IOException {
        SaeConfig config = new SaeConfig(D_IN, D_SAE, new Architecture.TopK(2), false, "none", Map.of());
        Sae sae = Sae.initialize(config, 11);
        sae.params().bDec().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(0.5f, -0.25f, 1f, -1.5f)
                .reshape(1, D_IN));
        Path dir = tmp.resolve("sparsify");
        List<String> notes = SparsifyFormat.save(sae, DType.F32, dir);
        assertTrue(notes.get(0).contains("apply_b_dec_to_input was false"), notes.toString());
        Sae converted = SparsifyFormat.read(dir).sae();
        assertTrue(converted.config().applyBDecToInput());
        float[][] x = PythonFormatsTest.inputs();
        double[][][] expected = PythonFormatsTest.encode(sae, x);
        double[][][] got = PythonFormatsTest.encode(converted, x);
        PythonFormatsTest.assertClose(expected[0], got[0], "latents after folding b_dec into encoder.bias");
        PythonFormatsTest.assertClose(expected[1], got[1], "reconstruction");
    }

    @Test
    void keptSparsifyFieldsThatNoLongerFitAreCorrected() throws IOException {
        Map<String, Object> kept = Map.of("expansion_factor", 2, "num_latents", 0, "normalize_decoder", false,
                "multi_topk", true);
        SaeConfig config = new SaeConfig(D_IN, D_SAE, new Architecture.TopK(2), true, "none",
                Map.of(SparsifyFormat.CFG_METADATA, kept));
        SparsifyFormat.save(Sae.initialize(config, 2), DType.F32, tmp);
        JsonNode cfg = Json.readTree(tmp.resolve("cfg.json"));
        assertEquals(D_SAE, cfg.get("num_latents").asInt(), "2 × d_in is not d_sae, so num_latents says it");
        assertTrue(cfg.get("multi_topk").asBoolean(), "training-only fields are kept");
        assertEquals(D_SAE, SparsifyFormat.read(tmp).sae().config().dSae());
    }

    @Test
    void sparsifyTakesOnlyWhatItCanExpress() {
        Sae standard = Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.Standard()), 1);
        BadInputException e = assertThrows(BadInputException.class,
                () -> SparsifyFormat.save(standard, DType.F32, tmp.resolve("a")));
        assertTrue(e.getMessage().contains("TopK SAEs only") && e.getMessage().contains("standard"), e.getMessage());
        Sae scaled = Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(2))
                .withNormalizeActivations("expected_average_only_in"), 1);
        e = assertThrows(BadInputException.class, () -> SparsifyFormat.save(scaled, DType.F32, tmp.resolve("b")));
        assertTrue(e.getMessage().contains("expected_average_only_in"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "nothing written on refusal");
    }

    @Test
    void detectTellsTheFormatsApartAndNamesWhatIsMissing() throws IOException {
        Sae sae = Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.TopK(2)), 1);
        Path a = tmp.resolve("a");
        SaeLensFormat.save(sae, null, DType.F32, a);
        Path b = tmp.resolve("b");
        SparsifyFormat.save(sae, DType.F32, b);
        assertEquals(SaeFormat.SAELENS, SaeFormat.detect(a));
        assertEquals(SaeFormat.SPARSIFY, SaeFormat.detect(b));

        Files.copy(b.resolve("sae.safetensors"), a.resolve("sae.safetensors"));
        BadInputException e = assertThrows(BadInputException.class, () -> SaeFormat.detect(a));
        assertTrue(e.getMessage().contains("holds both"), e.getMessage());
        Files.delete(a.resolve("sae.safetensors"));
        Files.delete(a.resolve("sae_weights.safetensors"));
        e = assertThrows(BadInputException.class, () -> SaeFormat.detect(a));
        assertTrue(e.getMessage().contains("neither sae_weights.safetensors (SAELens) nor sae.safetensors"),
                e.getMessage());
        e = assertThrows(BadInputException.class, () -> SaeFormat.load(tmp.resolve("nope"), null));
        assertTrue(e.getMessage().endsWith("nope: no such SAE folder"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> SaeFormat.load(tmp, "layers.9"));
        assertTrue(e.getMessage().contains("no hookpoint folder 'layers.9'; it holds b"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> SaeFormat.load(b, "../a"));
        assertTrue(e.getMessage().contains("no hookpoint folder '../a'"), "a hookpoint stays inside the folder");
        assertEquals(SaeFormat.SPARSIFY, SaeFormat.load(tmp, "b").format());
        e = assertThrows(BadInputException.class, () -> SaeFormat.named("dictionary_learning"));
        assertTrue(e.getMessage().contains("saelens or sparsify"), e.getMessage());
    }
}
