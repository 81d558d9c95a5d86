package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;

/** SAELens v6 folders: save → load gives bit-identical tensors, the files hold exactly SAELens's names and shapes. */
class SaeLensRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void topKSaveLoadIsBitIdentical() throws IOException {
        SaeConfig config = SaeConfig.of(7, 13, new Architecture.TopK(3))
                .withMetadata(Map.of("hook_name", "blocks.2.hook_resid_post", "training_tokens", 1000));
        Sae sae = randomSae(config, 1);
        double[] freq = new double[13];
        for (int j = 0; j < freq.length; j++) {
            freq[j] = j == 4 ? 0 : 1.0 / (j + 2);
        }
        Path dir = tmp.resolve("topk");
        SaeLensFormat.save(sae, freq, dir);

        Sae loaded = SaeLensFormat.load(dir);
        assertEquals(config.withMetadata(Map.of("sae_lens_version", SaeLensFormat.LAYOUT_VERSION)), loaded.config(),
                "config after round trip (the writer stamps the SAELens layout version into metadata)");
        assertSameTensors(sae, loaded);

        float[] sparsity = SaeLensFormat.loadSparsity(dir, 13);
        for (int j = 0; j < freq.length; j++) {
            assertEquals((float) Math.log10(freq[j] + SaeLensFormat.SPARSITY_EPS), sparsity[j], 0f, "sparsity[" + j + "]");
        }
        assertEquals(-10f, sparsity[4], 1e-6f, "a latent that never fired is log10(1e-10)");
    }

    @Test
    void standardSaveLoadIsBitIdenticalAndHasNoK() throws IOException {
        SaeConfig config = SaeConfig.of(5, 11, new Architecture.Standard());
        Sae sae = randomSae(config, 2);
        Path dir = tmp.resolve("standard");
        SaeLensFormat.save(sae, null, dir);

        assertSameTensors(sae, SaeLensFormat.load(dir));
        assertFalse(Files.exists(dir.resolve(SaeLensFormat.SPARSITY)), "no sparsity file when none was given");
        JsonNode cfg = Json.readTree(dir.resolve(SaeLensFormat.CONFIG));
        assertEquals("standard", cfg.get("architecture").asText());
        assertFalse(cfg.has("k"), "standard cfg.json has no k");
    }

    @Test
    void filesHoldSaeLensKeysNamesAndShapes() throws IOException {
        SaeConfig config = SaeConfig.of(6, 24, new Architecture.TopK(4));
        Path dir = tmp.resolve("layout");
        SaeLensFormat.save(randomSae(config, 3), new double[24], dir);

        JsonNode cfg = Json.readTree(dir.resolve(SaeLensFormat.CONFIG));
        for (String key : List.of("d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input",
                "normalize_activations", "reshape_activations", "architecture", "k", "metadata")) {
            assertTrue(cfg.has(key), "cfg.json lacks SAELens v6 key " + key);
        }
        assertEquals("topk", cfg.get("architecture").asText());
        assertEquals(4, cfg.get("k").asInt());
        assertEquals("float32", cfg.get("dtype").asText());

        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(SaeLensFormat.WEIGHTS))) {
            assertArrayEquals(new long[] {6, 24}, r.tensor("W_enc").shape(), "W_enc is [d_in, d_sae]");
            assertArrayEquals(new long[] {24}, r.tensor("b_enc").shape());
            assertArrayEquals(new long[] {24, 6}, r.tensor("W_dec").shape(), "W_dec is [d_sae, d_in]");
            assertArrayEquals(new long[] {6}, r.tensor("b_dec").shape());
        }
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(SaeLensFormat.SPARSITY))) {
            assertArrayEquals(new long[] {24}, r.tensor("sparsity").shape());
        }
    }

    @Test
    void shapeDisagreeingWithConfigIsBadInput() throws IOException {
        Path dir = tmp.resolve("lying");
        SaeLensFormat.save(randomSae(SaeConfig.of(4, 8, new Architecture.TopK(2)), 4), null, dir);
        ObjectNode cfg = (ObjectNode) Json.readTree(dir.resolve(SaeLensFormat.CONFIG));
        cfg.put("d_sae", 9);
        Files.writeString(dir.resolve(SaeLensFormat.CONFIG), Json.mapper().writeValueAsString(cfg));
        BadInputException e = assertThrows(BadInputException.class, () -> SaeLensFormat.load(dir));
        assertTrue(e.getMessage().contains("W_enc"), "message names the tensor: " + e.getMessage());
    }

    private static Sae randomSae(SaeConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int dIn = config.dIn();
        int dSae = config.dSae();
        return Sae.fromArrays(config, gaussian(dIn * dSae, random), gaussian(dSae, random),
                gaussian(dSae * dIn, random), gaussian(dIn, random));
    }

    private static float[] gaussian(int n, SplittableRandom random) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static void assertSameTensors(Sae expected, Sae actual) {
        SaeParams e = expected.params();
        SaeParams a = actual.params();
        assertArrayEquals(Nio.get(e.wEnc()), Nio.get(a.wEnc()), "W_enc");
        assertArrayEquals(Nio.get(e.bEnc()), Nio.get(a.bEnc()), "b_enc");
        assertArrayEquals(Nio.get(e.wDec()), Nio.get(a.wDec()), "W_dec");
        assertArrayEquals(Nio.get(e.bDec()), Nio.get(a.bDec()), "b_dec");
    }
}
