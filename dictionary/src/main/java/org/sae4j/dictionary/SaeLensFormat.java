package org.sae4j.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;
import org.sae4j.formats.TensorInfo;

/**
 * The SAELens v6 folder format, sae4j's native output, so {@code SAE.load_from_disk}, Neuronpedia and Python's
 * safetensors open it as is: {@code cfg.json} (d_in, d_sae, dtype, device, apply_b_dec_to_input,
 * normalize_activations, reshape_activations, architecture, k for topk, metadata), {@code sae_weights.safetensors}
 * (W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in]) and {@code sparsity.safetensors}
 * (sparsity [d_sae] = log10 of each latent's firing frequency).
 */
public final class SaeLensFormat {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae_weights.safetensors";
    public static final String SPARSITY = "sparsity.safetensors";
    /** SAELens adds this before log10 so a latent that never fired gets −10, not −∞. */
    public static final double SPARSITY_EPS = 1e-10;

    private SaeLensFormat() {
    }

    /**
     * Writes the folder; each file atomically, cfg.json last, so a folder with a cfg.json is complete.
     *
     * @param firingFrequency per latent, the fraction of tokens it fired on ([dSae]), or null to skip sparsity
     */
    public static void save(Sae sae, double[] firingFrequency, Path dir) throws IOException {
        SaeConfig c = sae.config();
        Files.createDirectories(dir);
        SaeParams p = sae.params();
        new SafetensorsWriter()
                .metadata(Map.of("format", "pt"))
                .put("W_enc", new long[] {c.dIn(), c.dSae()}, Nio.get(p.wEnc()))
                .put("b_enc", new long[] {c.dSae()}, Nio.get(p.bEnc()))
                .put("W_dec", new long[] {c.dSae(), c.dIn()}, Nio.get(p.wDec()))
                .put("b_dec", new long[] {c.dIn()}, Nio.get(p.bDec()))
                .write(dir.resolve(WEIGHTS));
        if (firingFrequency != null) {
            float[] logFreq = new float[c.dSae()];
            for (int j = 0; j < logFreq.length; j++) {
                logFreq[j] = (float) Math.log10(firingFrequency[j] + SPARSITY_EPS);
            }
            new SafetensorsWriter()
                    .metadata(Map.of("format", "pt"))
                    .put("sparsity", new long[] {c.dSae()}, logFreq)
                    .write(dir.resolve(SPARSITY));
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.mapper().writeValueAsString(configJson(c)) + "\n");
    }

    /** The cfg.json object for {@code c}. */
    public static ObjectNode configJson(SaeConfig c) {
        ObjectNode cfg = Json.mapper().createObjectNode();
        cfg.put("architecture", c.architecture().saelensName());
        cfg.put("d_in", c.dIn());
        cfg.put("d_sae", c.dSae());
        cfg.put("dtype", "float32");
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", c.applyBDecToInput());
        cfg.put("normalize_activations", c.normalizeActivations());
        cfg.put("reshape_activations", "none");
        if (c.architecture() instanceof Architecture.TopK topK) {
            cfg.put("k", topK.k());
        }
        cfg.set("metadata", Json.mapper().valueToTree(c.metadata()));
        return cfg;
    }

    /** Reads a SAELens v6 folder, checking every tensor's presence and shape against cfg.json. */
    public static Sae load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such SAE folder");
        }
        SaeConfig config = parseConfig(dir.resolve(CONFIG));
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(dir + ": no " + WEIGHTS + " beside cfg.json");
        }
        try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
            int dIn = config.dIn();
            int dSae = config.dSae();
            return Sae.fromArrays(config,
                    read(reader, "W_enc", dIn, dSae),
                    read(reader, "b_enc", dSae),
                    read(reader, "W_dec", dSae, dIn),
                    read(reader, "b_dec", dIn));
        }
    }

    /** log10 firing frequencies from sparsity.safetensors, or null when the folder has none. */
    public static float[] loadSparsity(Path dir, int dSae) throws IOException {
        Path file = dir.resolve(SPARSITY);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return read(reader, "sparsity", dSae);
        }
    }

    private static float[] read(SafetensorsReader reader, String name, long... shape) throws IOException {
        TensorInfo info = reader.tensor(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new BadInputException(reader.file() + ": tensor " + name + " has shape "
                    + Arrays.toString(info.shape()) + ", cfg.json implies " + Arrays.toString(shape));
        }
        return reader.readFloats(name);
    }

    static SaeConfig parseConfig(Path file) {
        JsonNode cfg = Json.readTree(file);
        if (!cfg.isObject()) {
            throw new BadInputException(file + ": expected a JSON object");
        }
        int dIn = positiveInt(cfg, "d_in", file);
        int dSae = positiveInt(cfg, "d_sae", file);
        String name = text(cfg, "architecture", "standard", file);
        Architecture architecture = switch (name) {
            case "standard" -> new Architecture.Standard();
            case "topk" -> new Architecture.TopK(positiveInt(cfg, "k", file));
            default -> throw new BadInputException(file + ": unknown architecture '" + name
                    + "' (sae4j reads standard, topk)");
        };
        boolean applyBDec = !cfg.has("apply_b_dec_to_input") || cfg.get("apply_b_dec_to_input").asBoolean(true);
        String normalize = text(cfg, "normalize_activations", "none", file);
        if (!normalize.equals("none") && !normalize.equals("expected_average_only_in")) {
            throw new BadInputException(file + ": normalize_activations '" + normalize + "' is not supported"
                    + " (sae4j reads none, expected_average_only_in)");
        }
        String reshape = text(cfg, "reshape_activations", "none", file);
        if (!reshape.equals("none")) {
            throw new BadInputException(file + ": reshape_activations '" + reshape + "' is not supported");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        JsonNode meta = cfg.get("metadata");
        if (meta != null && meta.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull()) {
                    metadata.put(e.getKey(), Json.mapper().convertValue(e.getValue(), Object.class));
                }
            }
        }
        try {
            return new SaeConfig(dIn, dSae, architecture, applyBDec, normalize, metadata);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    private static int positiveInt(JsonNode cfg, String key, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new BadInputException(file + ": '" + key + "' must be a positive integer"
                    + (v == null ? " (missing)" : ", got " + v));
        }
        return v.asInt();
    }

    private static String text(JsonNode cfg, String key, String fallback, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new BadInputException(file + ": '" + key + "' must be a string, got " + v);
        }
        return v.asText();
    }
}
