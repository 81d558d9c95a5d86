package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.PythonFiles.Tensor;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.TensorInfo;

/**
 * Gated SAEs in SAELens folders: sae4j's save → load round trip, and folders as SAELens writes a {@code gated} SAE
 * (cfg.json {@code "architecture": "gated"}; sae_weights.safetensors with W_enc [d_in, d_sae], b_gate, r_mag, b_mag
 * [d_sae], W_dec [d_sae, d_in], b_dec [d_in]) built byte by byte in {@link PythonFiles}, which must encode fixed
 * inputs to the latents of {@link #reference}, a transcription of SAELens's {@code GatedSAE.encode}.
 */
class GatedFormatsTest {
    private static final int D_IN = PythonFormatsTest.D_IN;
    private static final int D_SAE = PythonFormatsTest.D_SAE;

    @TempDir
    Path tmp;

    @Test
    void saveLoadIsBitIdenticalWithSaeLensNamesAndShapes() throws IOException {
        SaeConfig config = SaeConfig.of(7, 13, new Architecture.Gated())
                .withMetadata(Map.of("hook_name", "blocks.2.hook_resid_post"));
        Sae sae = randomSae(config, 3);
        Path dir = tmp.resolve("gated");
        SaeLensFormat.save(sae, null, dir);

        JsonNode cfg = Json.readTree(dir.resolve(SaeLensFormat.CONFIG));
        assertEquals("gated", cfg.path("architecture").asText());
        assertFalse(cfg.has("k"), "gated has no k");
        List<String> stored = new ArrayList<>();
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(SaeLensFormat.WEIGHTS))) {
            for (TensorInfo t : r.tensors()) {
                stored.add(t.name() + Arrays.toString(t.shape()));
            }
        }
        stored.sort(null);
        assertEquals(List.of("W_dec[13, 7]", "W_enc[7, 13]", "b_dec[7]", "b_gate[13]", "b_mag[13]", "r_mag[13]"),
                stored, "the tensors SAELens's GatedSAE state dict holds");

        LoadedSae loaded = SaeLensFormat.read(dir);
        assertEquals(new Architecture.Gated(), loaded.sae().config().architecture());
        Map<String, float[]> expected = sae.tensors();
        Map<String, float[]> actual = loaded.sae().tensors();
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name + " after the round trip");
        }
    }

    @Test
    void saeLens6GatedFolderLoadsAndEncodesAsSaeLens() throws IOException {
        float[][] p = params(30);
        Path dir = tmp.resolve("sae6");
        writeWeights(dir, "F32", p);
        // As SAELens 6 writes GatedSAEConfig.to_dict() (json.dump: ", " and ": ").
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"dtype\": \"float32\", \"device\":"
                + " \"cpu\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\","
                + " \"reshape_activations\": \"none\", \"metadata\": {\"sae_lens_version\": \"6.5.1\","
                + " \"sae_lens_training_version\": \"6.5.1\", \"model_name\": \"gelu-1l\", \"hook_name\":"
                + " \"blocks.0.hook_mlp_out\"}, \"architecture\": \"gated\"}");
        LoadedSae loaded = SaeFormat.load(dir, null);
        assertEquals(new Architecture.Gated(), loaded.sae().config().architecture());
        assertEquals("gelu-1l", loaded.sae().config().metadata().get("model_name"));
        assertTrue(loaded.notes().isEmpty(), loaded.notes().toString());
        assertEncodesAsReference(loaded.sae(), p, true);
    }

    @Test
    void saeLens4GatedFolderInFloat16Loads() throws IOException {
        // SAELens 3.x–5.x wrote architecture "gated" beside the pre-6.0 keys (hook_point, activation_fn_str, ...).
        float[][] p = params(40);
        Path dir = tmp.resolve("sae4");
        writeWeights(dir, "F16", p);
        PythonFiles.text(dir.resolve("cfg.json"), "{\"architecture\": \"gated\", \"d_in\": 4, \"d_sae\": 6,"
                + " \"activation_fn_str\": \"relu\", \"apply_b_dec_to_input\": false, \"finetuning_scaling_factor\":"
                + " false, \"context_size\": 128, \"model_name\": \"gemma-2b\", \"hook_point\":"
                + " \"blocks.12.hook_resid_post\", \"hook_point_layer\": 12, \"hook_point_head_index\": null,"
                + " \"prepend_bos\": true, \"dataset_path\": \"chanind/openwebtext-gemma\", \"dtype\": \"float16\","
                + " \"device\": \"cuda\", \"sae_lens_training_version\": \"3.13.0\", \"normalize_activations\":"
                + " \"none\"}");
        LoadedSae loaded = SaeLensFormat.read(dir);
        assertEquals(new Architecture.Gated(), loaded.sae().config().architecture());
        assertEquals(DType.F16, loaded.weightsDType());
        assertEquals("blocks.12.hook_resid_post", loaded.sae().config().metadata().get("hook_name"));
        assertEncodesAsReference(loaded.sae(), p, false);
    }

    @Test
    void gatedFolderMissingItsGateBiasOrHoldingBEncIsRefused() throws IOException {
        float[][] p = params(50);
        Path dir = tmp.resolve("bad");
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"architecture\": \"gated\","
                + " \"metadata\": {\"sae_lens_version\": \"6.0.0\"}}");
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_IN, D_SAE}, p[0]),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, p[1]),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, p[4]),
                new Tensor("b_dec", "F32", new long[] {D_IN}, p[5]));
        BadInputException e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("unexpected tensor 'b_enc'"), e.getMessage());
    }

    @Test
    void sparsifyCannotHoldAGatedSae() {
        Sae sae = Sae.initialize(SaeConfig.of(D_IN, D_SAE, new Architecture.Gated()), 1);
        BadInputException e = assertThrows(BadInputException.class,
                () -> SparsifyFormat.save(sae, DType.F32, tmp.resolve("sparsify")));
        assertTrue(e.getMessage().contains("gated"), e.getMessage());
    }

    /** The trainer folds its input scale into the weights; a gated SAE must encode s·x as the folded one encodes x. */
    @Test
    void foldedInputScaleGivesTheSameCodes() {
        Sae sae = randomSae(SaeConfig.of(D_IN, D_SAE, new Architecture.Gated()), 4);
        double s = 2.5;
        Sae folded = sae.foldInputScaling(s);
        float[][] x = PythonFormatsTest.inputs();
        float[][] scaled = new float[x.length][D_IN];
        for (int r = 0; r < x.length; r++) {
            for (int d = 0; d < D_IN; d++) {
                scaled[r][d] = (float) (s * x[r][d]);
            }
        }
        double[][][] onScaled = PythonFormatsTest.encode(sae, scaled);
        double[][][] onRaw = PythonFormatsTest.encode(folded, x);
        PythonFormatsTest.assertClose(onScaled[0], onRaw[0], "codes of s·x vs folded codes of x");
        assertTrue(PythonFormatsTest.activeCount(onRaw[0]) >= 3, "the fixture must activate latents");
        double[][] rescaled = new double[x.length][D_IN];
        for (int r = 0; r < x.length; r++) {
            for (int d = 0; d < D_IN; d++) {
                rescaled[r][d] = onScaled[1][r][d] / s;
            }
        }
        PythonFormatsTest.assertClose(rescaled, onRaw[1], "reconstruction of s·x / s vs folded reconstruction of x");
    }

    // ---- fixtures and the reference ----

    /** W_enc [D_IN, D_SAE], b_gate, r_mag, b_mag [D_SAE], W_dec [D_SAE, D_IN], b_dec [D_IN]; exact in F16. */
    private static float[][] params(int salt) {
        float[] rMag = PythonFiles.eighths(D_SAE, salt + 2);
        for (int j = 0; j < D_SAE; j++) {
            rMag[j] /= 4; // log scales: exp of ±0.44 at most
        }
        return new float[][] {PythonFiles.eighths(D_IN * D_SAE, salt), PythonFiles.eighths(D_SAE, salt + 1), rMag,
                PythonFiles.eighths(D_SAE, salt + 3), PythonFiles.eighths(D_SAE * D_IN, salt + 4),
                PythonFiles.eighths(D_IN, salt + 5)};
    }

    /** In the (alphabetical) order safetensors.torch.save_file leaves a state dict. */
    private static void writeWeights(Path dir, String dtype, float[][] p) throws IOException {
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_dec", dtype, new long[] {D_SAE, D_IN}, p[4]),
                new Tensor("W_enc", dtype, new long[] {D_IN, D_SAE}, p[0]),
                new Tensor("b_dec", dtype, new long[] {D_IN}, p[5]),
                new Tensor("b_gate", dtype, new long[] {D_SAE}, p[1]),
                new Tensor("b_mag", dtype, new long[] {D_SAE}, p[3]),
                new Tensor("r_mag", dtype, new long[] {D_SAE}, p[2]));
    }

    private static void assertEncodesAsReference(Sae sae, float[][] p, boolean subtractBDec) {
        float[][] x = PythonFormatsTest.inputs();
        double[][] f = reference(p, x, subtractBDec);
        double[][][] got = PythonFormatsTest.encode(sae, x);
        PythonFormatsTest.assertClose(f, got[0], "latents");
        PythonFormatsTest.assertClose(PythonFormatsTest.referenceDecode(f, p[4], p[5], null), got[1],
                "reconstruction");
        int open = 0;
        int closedWithPositiveMagnitude = 0;
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double[] pi = preActivations(p, x[r], subtractBDec, j);
                open += pi[0] > 0 && pi[1] > 0 ? 1 : 0;
                closedWithPositiveMagnitude += pi[0] <= 0 && pi[1] > 0 ? 1 : 0;
            }
        }
        assertTrue(open >= 3 && closedWithPositiveMagnitude >= 1, "the fixture must have open gates and a closed gate"
                + " over a positive magnitude, so the gate is what zeroes it (open " + open + ", closed over"
                + " positive " + closedWithPositiveMagnitude + ")");
    }

    /**
     * SAELens {@code GatedSAE.encode}: sae_in = x − b_dec·apply_b_dec_to_input; gate = sae_in @ W_enc + b_gate;
     * magnitude = relu(sae_in @ (W_enc * r_mag.exp()) + b_mag); f = (gate > 0) * magnitude.
     */
    private static double[][] reference(float[][] p, float[][] x, boolean subtractBDec) {
        double[][] f = new double[x.length][D_SAE];
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < D_SAE; j++) {
                double[] pi = preActivations(p, x[r], subtractBDec, j);
                f[r][j] = pi[0] > 0 ? Math.max(pi[1], 0) : 0;
            }
        }
        return f;
    }

    /** {π_gate, π_mag} of latent j for one input row. */
    private static double[] preActivations(float[][] p, float[] x, boolean subtractBDec, int j) {
        double gate = p[1][j];
        double mag = p[3][j];
        for (int d = 0; d < D_IN; d++) {
            double in = subtractBDec ? x[d] - p[5][d] : x[d];
            gate += in * p[0][d * D_SAE + j];
            mag += in * p[0][d * D_SAE + j] * Math.exp(p[2][j]);
        }
        return new double[] {gate, mag};
    }

    private static Sae randomSae(SaeConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] flat = new float[Math.toIntExact(config.parameterCount())];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) (0.5 * random.nextGaussian());
        }
        SaeParams p = SaeParams.zeros(config);
        Nio.put(p.flat(), flat);
        return new Sae(config, p);
    }
}
