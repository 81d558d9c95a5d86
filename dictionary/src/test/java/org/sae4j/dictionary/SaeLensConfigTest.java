package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;

/** The mapping of pre-6.0 SAELens cfg.json keys to 6.0 ones, and how a file's version is told. */
class SaeLensConfigTest {
    @TempDir
    Path tmp;

    private SaeLensConfig read(String json) throws IOException {
        Path f = tmp.resolve("cfg.json");
        PythonFiles.text(f, json);
        return SaeLensConfig.read(f);
    }

    @Test
    void versionDecidesWhichKeysAreRead() throws IOException {
        Path f = tmp.resolve("cfg.json");
        assertFalse(SaeLensConfig.isV6(Json.mapper().readTree("{\"d_in\": 1}"), f), "no version: before 6.0");
        assertFalse(SaeLensConfig.isV6(Json.mapper().readTree("{\"sae_lens_version\": \"5.10.2\"}"), f));
        assertTrue(SaeLensConfig.isV6(Json.mapper().readTree("{\"sae_lens_version\": \"6.0.0-rc.0\"}"), f));
        assertTrue(SaeLensConfig.isV6(Json.mapper().readTree("{\"metadata\": {\"sae_lens_version\": \"6.12.1\"}}"),
                f));
        assertThrows(BadInputException.class,
                () -> SaeLensConfig.isV6(Json.mapper().readTree("{\"sae_lens_version\": \"latest\"}"), f));
    }

    @Test
    void upgradeMapsTheOldKeys() {
        ObjectNode old = (ObjectNode) Json.mapper().valueToTree(java.util.Map.of(
                "hook_point", "blocks.1.attn.hook_z", "hook_point_head_index", 3, "d_in", 8, "expansion_factor", 4,
                "normalize_activations", true, "activation_fn_str", "topk",
                "activation_fn_kwargs", java.util.Map.of("k", 5), "model_name", "gpt2-small", "l1_coefficient", 8));
        ObjectNode v6 = SaeLensConfig.upgrade(old, tmp.resolve("cfg.json"));
        assertEquals("topk", v6.get("architecture").asText());
        assertEquals(5, v6.get("k").asInt());
        assertEquals(32, v6.get("d_sae").asInt(), "d_sae from d_in × expansion_factor");
        assertEquals("expected_average_only_in", v6.get("normalize_activations").asText());
        assertTrue(v6.get("apply_b_dec_to_input").asBoolean(), "absent means true");
        assertEquals("hook_z", v6.get("reshape_activations").asText(), "derived from the hook name");
        assertEquals("blocks.1.attn.hook_z", v6.get("metadata").get("hook_name").asText());
        assertEquals(3, v6.get("metadata").get("hook_head_index").asInt());
        assertEquals("gpt2-small", v6.get("metadata").get("model_name").asText());
        assertFalse(v6.has("l1_coefficient") || v6.get("metadata").has("l1_coefficient"), "training keys dropped");
    }

    @Test
    void attentionHeadSaesAndRuntimeNormalisationAreRefusedWithTheReason() {
        BadInputException e = assertThrows(BadInputException.class, () -> read("{\"d_in\": 8, \"d_sae\": 16,"
                + " \"hook_point\": \"blocks.1.attn.hook_z\"}"));
        assertTrue(e.getMessage().contains("reshape_activations 'hook_z'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> read("{\"d_in\": 8, \"d_sae\": 16, \"normalize_activations\":"
                + " \"layer_norm\", \"metadata\": {\"sae_lens_version\": \"6.1.0\"}}"));
        assertTrue(e.getMessage().contains("normalize_activations 'layer_norm'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> read("{\"d_in\": 8, \"d_sae\": 0}"));
        assertTrue(e.getMessage().contains("'d_sae' must be a positive integer, got 0"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> read("{\"d_in\": 8, \"d_sae\": 16,"
                + " \"apply_b_dec_to_input\": \"yes\"}"));
        assertTrue(e.getMessage().contains("'apply_b_dec_to_input' must be true or false"), e.getMessage());
    }

    @Test
    void foldersSae4jWroteBeforeItWroteAVersionStillRead() throws IOException {
        // sae4j's first SAELens writer: 6.0 keys, provenance under metadata, but no sae_lens_version.
        SaeLensConfig c = read("{\"architecture\": \"topk\", \"d_in\": 8, \"d_sae\": 32, \"dtype\": \"float32\","
                + " \"device\": \"cpu\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\","
                + " \"reshape_activations\": \"none\", \"k\": 4, \"metadata\": {\"sae_lens_training_version\":"
                + " \"sae4j 0.1.0\", \"dataset_path\": \"synthetic\", \"training_tokens\": 1000}}");
        assertTrue(c.legacy());
        assertEquals(new Architecture.TopK(4), c.config().architecture());
        assertEquals(DType.F32, c.dtype());
        assertEquals("sae4j 0.1.0", c.config().metadata().get("sae_lens_training_version"));
        assertEquals(1000, c.config().metadata().get("training_tokens"));
    }
}
