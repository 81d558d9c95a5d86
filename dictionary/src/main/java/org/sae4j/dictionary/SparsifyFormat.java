package org.sae4j.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;
import org.sae4j.formats.TensorInfo;

/**
 * The folder EleutherAI's sparsify writes for one hookpoint ({@code SparseCoder.save_to_disk}):
 * <pre>
 *   cfg.json          SparseCoderConfig fields plus d_in: {"activation": "topk", "expansion_factor", "normalize_decoder",
 *                     "num_latents", "k", "multi_topk", "skip_connection", "transcode", "d_in"}
 *   sae.safetensors   encoder.weight [d_sae, d_in], encoder.bias [d_sae], W_dec [d_sae, d_in], b_dec [d_in]
 * </pre>
 * with d_sae = num_latents, or d_in × expansion_factor when num_latents is 0. A training run keeps one such folder
 * per hookpoint under the run folder, beside the run's {@code config.json} (see {@link SaeFormat#locate}).
 *
 * <p>sparsify encodes {@code top_k(relu((x − b_dec)·encoder.weightᵀ + encoder.bias))} and decodes
 * {@code f·W_dec + b_dec}: a SAELens topk SAE with {@code apply_b_dec_to_input} and W_enc = encoder.weightᵀ. Its
 * other activation ({@code groupmax}), transcoders and skip connections have no sae4j equivalent and are refused.
 */
public final class SparsifyFormat {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae.safetensors";
    /** The run folder's TrainConfig, one level up from the hookpoint folders. */
    public static final String RUN_CONFIG = "config.json";
    /** Metadata key holding the sparsify cfg.json fields that only training reads, kept for the way back. */
    public static final String CFG_METADATA = "sparsify_cfg";

    private static final String ENCODER = "encoder.weight";
    private static final String ENCODER_BIAS = "encoder.bias";
    private static final String DECODER = "W_dec";
    private static final String DECODER_BIAS = "b_dec";
    /** cfg.json keys that change the forward pass; each must be at its plain-SAE value. */
    private static final Set<String> FORWARD_KEYS = Set.of("activation", "k", "d_in", "num_latents",
            "expansion_factor", "skip_connection", "transcode", "signed");

    private SparsifyFormat() {
    }

    /** Reads one hookpoint folder; every tensor is checked by name and by the shape cfg.json implies. */
    public static LoadedSae read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such SAE folder");
        }
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode cfg = Json.readTree(cfgFile);
        if (!cfg.isObject()) {
            throw new BadInputException(cfgFile + ": expected a JSON object");
        }
        String activation = SaeLensConfig.text(cfg, "activation", "topk", cfgFile);
        if (!activation.equals("topk")) {
            throw new BadInputException(cfgFile + ": activation '" + activation + "' is not supported (sae4j reads"
                    + " sparsify's topk)");
        }
        if (SaeLensConfig.bool(cfg, "transcode", false, cfgFile)) {
            throw new BadInputException(cfgFile + ": a transcoder (transcode = true) predicts another module's"
                    + " output; sae4j reads sparse autoencoders");
        }
        if (SaeLensConfig.bool(cfg, "skip_connection", false, cfgFile)) {
            throw new BadInputException(cfgFile + ": skip_connection = true (a W_skip term) is not supported");
        }
        if (SaeLensConfig.bool(cfg, "signed", false, cfgFile)) {
            throw new BadInputException(cfgFile + ": signed = true (signed top-k) is not supported");
        }
        if (!cfg.has("d_in")) {
            throw new BadInputException(cfgFile + ": no 'd_in' (sparsify's save_to_disk writes it beside the"
                    + " config fields)");
        }
        int dIn = SaeLensConfig.positiveInt(cfg, "d_in", cfgFile);
        int k = cfg.has("k") ? SaeLensConfig.positiveInt(cfg, "k", cfgFile) : 32; // sparsify's default
        int dSae = latents(cfg, dIn, cfgFile);

        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(dir + ": no " + WEIGHTS + " beside cfg.json");
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        List<TensorInfo> stored;
        try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
            stored = reader.tensors();
            if (stored.stream().noneMatch(t -> t.name().equals(DECODER))) {
                throw new BadInputException(weights + ": no W_dec (saved without a decoder?); the file holds "
                        + WeightsFile.describe(reader));
            }
            WeightsFile.requireOnly(reader, new LinkedHashSet<>(List.of(ENCODER, ENCODER_BIAS, DECODER,
                    DECODER_BIAS)), "a sparsify sparse autoencoder");
            String implied = "cfg.json (d_in " + dIn + ", " + dSae + " latents)";
            float[] encoder = WeightsFile.read(reader, ENCODER, new long[] {dSae, dIn}, implied);
            tensors.put("W_enc", transpose(encoder, dSae, dIn));
            tensors.put("b_enc", WeightsFile.read(reader, ENCODER_BIAS, new long[] {dSae}, implied));
            tensors.put("W_dec", WeightsFile.read(reader, DECODER, new long[] {dSae, dIn}, implied));
            tensors.put("b_dec", WeightsFile.read(reader, DECODER_BIAS, new long[] {dIn}, implied));
        }
        SaeConfig config;
        try {
            config = new SaeConfig(dIn, dSae, new Architecture.TopK(k), true, "none", metadata(cfg, dir));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(cfgFile + ": " + e.getMessage());
        }
        return new LoadedSae(Sae.fromTensors(config, tensors), SaeFormat.SPARSIFY, dir,
                LoadedSae.commonDType(stored), stored, null, List.of());
    }

    /**
     * Writes the folder with weights stored as {@code dtype}, the weights first and cfg.json last, each atomically.
     * Only TopK SAEs with raw-input scaling fit; an SAE that does not subtract b_dec from its input is rewritten
     * exactly for sparsify's encoder, which always does: {@code x·W + b = (x − b_dec)·W + (b + b_dec·W)}.
     *
     * @return what could not be carried over or had to be rewritten, one line each, for the user
     */
    public static List<String> save(Sae sae, DType dtype, Path dir) throws IOException {
        SaeConfig c = sae.config();
        if (!(c.architecture() instanceof Architecture.TopK topK)) {
            throw new BadInputException("sparsify stores TopK SAEs only; this SAE is "
                    + c.architecture().saelensName());
        }
        if (!c.normalizeActivations().equals("none")) {
            throw new BadInputException("normalize_activations is " + c.normalizeActivations() + ": the input scale"
                    + " is not in the folder, so sparsify's format cannot express it");
        }
        int dIn = c.dIn();
        int dSae = c.dSae();
        List<String> notes = new ArrayList<>();
        Map<String, float[]> t = sae.tensors();
        float[] wEnc = t.get("W_enc"); // [dIn, dSae]
        float[] bEnc = t.get("b_enc").clone(); // [dSae]
        float[] bDec = t.get("b_dec"); // [dIn]
        if (!c.applyBDecToInput()) {
            for (int j = 0; j < dSae; j++) {
                double s = bEnc[j];
                for (int d = 0; d < dIn; d++) {
                    s += (double) bDec[d] * wEnc[d * dSae + j];
                }
                bEnc[j] = (float) s;
            }
            notes.add("apply_b_dec_to_input was false: b_dec·W_enc folded into encoder.bias, since sparsify"
                    + " always encodes x − b_dec");
        }
        List<String> dropped = new ArrayList<>(c.metadata().keySet());
        dropped.remove(CFG_METADATA);
        if (!dropped.isEmpty()) {
            notes.add("sparsify's cfg.json has no metadata; not carried over: " + String.join(", ", dropped));
        }
        Files.createDirectories(dir);
        new SafetensorsWriter()
                .metadata(Map.of("format", "pt"))
                .put(ENCODER, dtype, new long[] {dSae, dIn}, transpose(wEnc, dIn, dSae))
                .put(ENCODER_BIAS, dtype, new long[] {dSae}, bEnc)
                .put(DECODER, dtype, new long[] {dSae, dIn}, t.get("W_dec"))
                .put(DECODER_BIAS, dtype, new long[] {dIn}, bDec)
                .write(dir.resolve(WEIGHTS));
        AtomicFiles.writeString(dir.resolve(CONFIG),
                Json.mapper().writeValueAsString(configJson(c, topK.k(), sae.decoderRowNorms())) + "\n");
        return notes;
    }

    /**
     * The cfg.json for {@code c}: the training-only fields sparsify wrote, when the SAE came from sparsify
     * ({@link #CFG_METADATA}), else sparsify's defaults, with num_latents made to match d_sae.
     */
    static ObjectNode configJson(SaeConfig c, int k, float[] decoderRowNorms) {
        ObjectNode cfg = Json.mapper().createObjectNode();
        cfg.put("activation", "topk");
        cfg.put("expansion_factor", Math.max(1, c.dSae() / c.dIn()));
        cfg.put("normalize_decoder", unitNorm(decoderRowNorms));
        cfg.put("num_latents", c.dSae());
        cfg.put("k", k);
        cfg.put("multi_topk", false);
        cfg.put("skip_connection", false);
        cfg.put("transcode", false);
        Object kept = c.metadata().get(CFG_METADATA);
        if (kept instanceof Map<?, ?> fields) {
            ObjectNode old = Json.mapper().valueToTree(fields);
            for (Iterator<Map.Entry<String, JsonNode>> it = old.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!FORWARD_KEYS.contains(e.getKey()) || e.getKey().equals("expansion_factor")
                        || e.getKey().equals("num_latents")) {
                    cfg.set(e.getKey(), e.getValue());
                }
            }
            if (latentsOrMinusOne(cfg, c.dIn()) != c.dSae()) {
                cfg.put("num_latents", c.dSae()); // the kept fields no longer describe this SAE's width
            }
        }
        cfg.put("d_in", c.dIn());
        return cfg;
    }

    /** num_latents, or d_in × expansion_factor when it is 0 (sparsify's rule). */
    private static int latents(JsonNode cfg, int dIn, Path file) {
        JsonNode n = cfg.get("num_latents");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0)) {
            throw new BadInputException(file + ": 'num_latents' must be a whole number ≥ 0, got " + n);
        }
        int latents = latentsOrMinusOne(cfg, dIn);
        if (latents < 0) {
            throw new BadInputException(file + ": num_latents is 0, so 'expansion_factor' must be a positive"
                    + " integer with d_in × expansion_factor below 2^31, got " + cfg.get("expansion_factor"));
        }
        return latents;
    }

    /** {@link #latents}, or −1 when the fields do not give a valid width. */
    private static int latentsOrMinusOne(JsonNode cfg, int dIn) {
        JsonNode n = cfg.get("num_latents");
        if (n != null && !n.isNull()) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
                return -1;
            }
            if (n.asInt() > 0) {
                return n.asInt();
            }
        }
        JsonNode e = cfg.get("expansion_factor");
        long factor = e == null ? 32 : e.isIntegralNumber() && e.canConvertToInt() && e.asInt() > 0 ? e.asInt() : -1;
        return factor < 1 || factor * dIn > Integer.MAX_VALUE ? -1 : (int) (factor * dIn);
    }

    /** The cfg.json fields kept for the way back, and the run's model, dataset and hookpoint when it has them. */
    private static Map<String, Object> metadata(JsonNode cfg, Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        Path runConfig = dir.toAbsolutePath().getParent() == null ? null
                : dir.toAbsolutePath().getParent().resolve(RUN_CONFIG);
        if (runConfig != null && Files.isRegularFile(runConfig)) {
            // A sparsify run folder: this folder is named after its hookpoint, the run config names the model.
            m.put("sparsify_hookpoint", dir.toAbsolutePath().getFileName().toString());
            try {
                JsonNode run = Json.readTree(runConfig);
                putText(m, "model_name", run.get("model"));
                putText(m, "dataset_path", run.get("dataset"));
                if (run.path("ctx_len").canConvertToInt() && run.path("ctx_len").isIntegralNumber()) {
                    m.put("context_size", run.get("ctx_len").asInt());
                }
            } catch (BadInputException unreadable) {
                // Provenance only: an unreadable run config leaves these keys out; the SAE is read the same.
            }
        }
        ObjectNode kept = ((ObjectNode) cfg).deepCopy();
        kept.remove(List.of("d_in", "k", "activation"));
        m.put(CFG_METADATA, Json.mapper().convertValue(kept, Map.class));
        return m;
    }

    private static void putText(Map<String, Object> m, String key, JsonNode v) {
        if (v != null && v.isTextual()) {
            m.put(key, v.asText());
        }
    }

    private static boolean unitNorm(float[] norms) {
        for (float n : norms) {
            if (Math.abs(n - 1f) > 1e-3f) {
                return false;
            }
        }
        return true;
    }

    /** [rows, cols] row-major to [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
