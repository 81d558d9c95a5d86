package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sae4j.dictionary.PythonFormatsTest.D_IN;
import static org.sae4j.dictionary.PythonFormatsTest.D_SAE;
import static org.sae4j.dictionary.PythonFormatsTest.ROWS;
import static org.sae4j.dictionary.PythonFormatsTest.activeCount;
import static org.sae4j.dictionary.PythonFormatsTest.assertClose;
import static org.sae4j.dictionary.PythonFormatsTest.encode;
import static org.sae4j.dictionary.PythonFormatsTest.inputs;
import static org.sae4j.dictionary.PythonFormatsTest.referenceDecode;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.PythonFiles.Tensor;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;

/**
 * SAELens {@code jumprelu} folders both ways. A folder written to SAELens's specification byte by byte
 * ({@link PythonFiles}) loads and encodes fixed inputs to what SAELens's {@code JumpReLUSAE.encode} computes,
 * {@code relu(pre) · (pre > threshold)}, transcribed in {@link #reference}; sae4j's own jumprelu folders (trained as
 * JumpReLU, or as BatchTopK/Matryoshka and saved in their inference form) round-trip bit for bit.
 */
class JumpReLUFormatTest {
    @TempDir
    Path tmp;

    /** SAELens JumpReLUSAE.encode on the arrays as they lie in the file, in double. */
    static double[][] reference(float[] wEnc, float[] bEnc, float[] bDec, float[] threshold, float[][] x) {
        double[][] f = new double[x.length][D_SAE];
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double pre = bEnc[j];
                for (int d = 0; d < D_IN; d++) {
                    pre += (x[r][d] - (double) bDec[d]) * wEnc[d * D_SAE + j];
                }
                f[r][j] = Math.max(pre, 0) * (pre > threshold[j] ? 1 : 0);
            }
        }
        return f;
    }

    @Test
    void saeLens6JumpReluFolderLoadsAndEncodes() throws IOException {
        Path dir = tmp.resolve("jumprelu");
        float[] wEnc = PythonFiles.eighths(D_IN * D_SAE, 11);
        float[] bEnc = PythonFiles.eighths(D_SAE, 12);
        float[] wDec = PythonFiles.eighths(D_SAE * D_IN, 13);
        float[] bDec = PythonFiles.eighths(D_IN, 14);
        float[] threshold = {0.3f, 1.1f, 0.05f, 2.2f, 0.7f, 0.45f};
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_IN, D_SAE}, wEnc),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, bEnc),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, wDec),
                new Tensor("b_dec", "F32", new long[] {D_IN}, bDec),
                new Tensor("threshold", "F32", new long[] {D_SAE}, threshold));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"dtype\": \"float32\", \"device\":"
                + " \"cpu\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\","
                + " \"reshape_activations\": \"none\", \"metadata\": {\"sae_lens_version\": \"6.5.1\","
                + " \"sae_lens_training_version\": \"6.5.1\", \"model_name\": \"gemma-2-2b\", \"hook_name\":"
                + " \"blocks.12.hook_resid_post\", \"prepend_bos\": true}, \"architecture\": \"jumprelu\"}");

        LoadedSae loaded = SaeFormat.load(dir, null);
        assertEquals(new Architecture.JumpReLU(), loaded.sae().config().architecture());
        assertEquals("blocks.12.hook_resid_post", loaded.sae().config().metadata().get("hook_name"));
        float[][] x = inputs();
        double[][] f = reference(wEnc, bEnc, bDec, threshold, x);
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents");
        assertClose(referenceDecode(f, wDec, bDec, null), got[1], "reconstruction");
        assertTrue(activeCount(f) >= ROWS, "the fixture must activate latents to test anything");
        assertTrue(activeCount(f) < activeCount(reference(wEnc, bEnc, bDec, new float[D_SAE], x)),
                "the thresholds must switch off some positive pre-activations to test anything");
    }

    @Test
    void preSixJumpReluInBfloat16Loads() throws IOException {
        // SAELens 4.x/5.x wrote jumprelu with activation_fn_str and hook_point-era keys beside it.
        Path dir = tmp.resolve("jumprelu5");
        float[] wEnc = PythonFiles.eighths(D_IN * D_SAE, 21);
        float[] bEnc = PythonFiles.eighths(D_SAE, 22);
        float[] wDec = PythonFiles.eighths(D_SAE * D_IN, 23);
        float[] bDec = PythonFiles.eighths(D_IN, 24);
        float[] threshold = {0.25f, 0.5f, 0.125f, 1f, 0.75f, 0.375f};
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "BF16", new long[] {D_IN, D_SAE}, wEnc),
                new Tensor("b_enc", "BF16", new long[] {D_SAE}, bEnc),
                new Tensor("W_dec", "BF16", new long[] {D_SAE, D_IN}, wDec),
                new Tensor("b_dec", "BF16", new long[] {D_IN}, bDec),
                new Tensor("threshold", "BF16", new long[] {D_SAE}, threshold));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"architecture\": \"jumprelu\", \"d_in\": 4, \"d_sae\": 6,"
                + " \"activation_fn_str\": \"relu\", \"apply_b_dec_to_input\": false, \"finetuning_scaling_factor\":"
                + " false, \"context_size\": 1024, \"model_name\": \"gemma-2-2b\", \"hook_name\":"
                + " \"blocks.20.hook_resid_post\", \"hook_layer\": 20, \"hook_head_index\": null, \"prepend_bos\":"
                + " true, \"dataset_path\": \"monology/pile-uncopyrighted\", \"dtype\": \"bfloat16\", \"device\":"
                + " \"cpu\", \"sae_lens_training_version\": null, \"normalize_activations\": null}");
        LoadedSae loaded = SaeLensFormat.read(dir);
        assertEquals(new Architecture.JumpReLU(), loaded.sae().config().architecture());
        assertEquals(DType.BF16, loaded.weightsDType());
        float[][] x = inputs();
        double[][] f = reference(wEnc, bEnc, new float[D_IN], threshold, x); // apply_b_dec_to_input false
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents");
        assertTrue(activeCount(f) >= ROWS, "the fixture must activate latents");
    }

    @Test
    void jumpReluWithoutThresholdIsRefusedByName() throws IOException {
        Path dir = tmp.resolve("nothreshold");
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_IN, D_SAE}, PythonFiles.eighths(D_IN * D_SAE, 1)),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, PythonFiles.eighths(D_SAE, 2)),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, PythonFiles.eighths(D_SAE * D_IN, 3)),
                new Tensor("b_dec", "F32", new long[] {D_IN}, PythonFiles.eighths(D_IN, 4)));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"architecture\": \"jumprelu\", \"d_in\": 4, \"d_sae\": 6,"
                + " \"metadata\": {\"sae_lens_version\": \"6.0.0\"}}");
        BadInputException e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
    }

    @Test
    void jumpReluSaveLoadIsBitIdentical() throws IOException {
        SaeConfig config = SaeConfig.of(7, 13, new Architecture.JumpReLU())
                .withMetadata(Map.of("hook_name", "blocks.2.hook_resid_post"));
        Sae sae = randomSae(config, 3);
        Path dir = tmp.resolve("saved");
        SaeLensFormat.save(sae, null, dir);
        Sae loaded = SaeLensFormat.load(dir);
        assertEquals(config.withMetadata(Map.of("sae_lens_version", SaeLensFormat.LAYOUT_VERSION)), loaded.config());
        assertEquals(sae.tensors().keySet(), loaded.tensors().keySet());
        sae.tensors().forEach((name, t) -> assertArrayEquals(t, loaded.tensors().get(name), name));
        JsonNode cfg = Json.readTree(dir.resolve("cfg.json"));
        assertEquals("jumprelu", cfg.get("architecture").asText());
        assertFalse(cfg.has("k"), "SAELens's JumpReLUSAEConfig has no k");
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("sae_weights.safetensors"))) {
            assertEquals(List.of("W_enc", "b_enc", "W_dec", "b_dec", "threshold"),
                    r.tensors().stream().map(t -> t.name()).sorted((a, b) -> order(a) - order(b)).toList());
        }
    }

    private static int order(String name) {
        return List.of("W_enc", "b_enc", "W_dec", "b_dec", "threshold").indexOf(name);
    }

    /** BatchTopK and Matryoshka are saved as jumprelu with the running threshold for every latent, as SAELens does. */
    @Test
    void batchTopKAndMatryoshkaSaveAsJumpReluWithTheirThreshold() throws IOException {
        for (Architecture a : List.of(new Architecture.BatchTopK(3),
                new Architecture.MatryoshkaBatchTopK(3, List.of(4, 9, 13)))) {
            Sae trained = randomSae(SaeConfig.of(7, 13, a), 4);
            trained.params().threshold().assign(0.625f);
            Sae inference = trained.forInference();
            assertEquals(new Architecture.JumpReLU(), inference.config().architecture());
            assertTrue(inference.config().metadata().get("trained_architecture").toString().contains("batchtopk"));
            Path dir = tmp.resolve(a.getClass().getSimpleName());
            SaeLensFormat.save(inference, null, dir);
            Sae loaded = SaeLensFormat.load(dir);
            assertEquals(new Architecture.JumpReLU(), loaded.config().architecture());
            float[] theta = loaded.tensors().get("threshold");
            for (float t : theta) {
                assertEquals(0.625f, t, 0f, "every latent's threshold is the running threshold");
            }
            trained.tensors().forEach((name, t) -> assertArrayEquals(t, loaded.tensors().get(name), name));
        }
    }

    private static Sae randomSae(SaeConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
        for (SaeParams.TensorSpec spec : SaeParams.layout(config)) {
            float[] a = new float[(int) spec.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = spec.name().equals("threshold") ? (float) random.nextDouble() : (float) random.nextGaussian();
            }
            tensors.put(spec.name(), a);
        }
        return Sae.fromTensors(config, tensors);
    }
}
