package org.sae4j.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;

/**
 * What a SAELens {@code cfg.json} of any version says: the {@link SaeConfig}, plus the switches that change how the
 * stored tensors must be read to give the activations SAELens would compute.
 *
 * <p>SAELens 6.0 reorganised the file. A file is read as 6.x when its {@code sae_lens_version} (top level, or in
 * {@code metadata}) is 6 or later, the rule SAELens itself applies ({@code handle_config_defaulting}); any other
 * file first has its keys mapped to the 6.0 ones by {@link #upgrade}.
 *
 * @param config                   the SAE's config; metadata holds the provenance keys (model, hook, dataset)
 * @param dtype                    {@code dtype}: what SAELens casts the weights to on load; null if absent
 * @param rescaleActsByDecoderNorm 6.x {@code topk}: pre-activations are multiplied by ‖W_dec[j]‖ before selection
 *                                 and decoded through W_dec[j]/‖W_dec[j]‖
 * @param finetuningScalingFactor  before 6.0: latents are multiplied by a learned per-latent scale (tensor
 *                                 {@code scaling_factor}) before decoding
 * @param legacy                   the file had pre-6.0 keys
 */
record SaeLensConfig(SaeConfig config, DType dtype, boolean rescaleActsByDecoderNorm,
        boolean finetuningScalingFactor, boolean legacy) {

    /**
     * SAELens's {@code LLM_METADATA_KEYS} (plus {@code hook_layer}, which 6.0 metadata keeps): the top-level keys of
     * a pre-6.0 file that become {@code metadata} in 6.0.
     */
    static final List<String> METADATA_KEYS = List.of("model_name", "hook_name", "hook_layer", "model_class_name",
            "hook_head_index", "model_from_pretrained_kwargs", "prepend_bos", "exclude_special_tokens",
            "neuronpedia_id", "context_size", "seqpos_slice", "dataset_path", "sae_lens_version",
            "sae_lens_training_version", "hook_name_out", "hook_head_index_out");

    static SaeLensConfig read(Path file) {
        JsonNode cfg = Json.readTree(file);
        if (!cfg.isObject()) {
            throw new BadInputException(file + ": expected a JSON object");
        }
        boolean legacy = !isV6(cfg, file);
        ObjectNode v6 = legacy ? upgrade((ObjectNode) cfg, file) : ((ObjectNode) cfg).deepCopy();
        return parse(v6, legacy, file);
    }

    /** True when {@code sae_lens_version} (top level or in metadata) names a major version of 6 or later. */
    static boolean isV6(JsonNode cfg, Path file) {
        JsonNode v = cfg.get("sae_lens_version");
        if (v == null || v.isNull()) {
            v = cfg.path("metadata").get("sae_lens_version");
        }
        if (v == null || v.isNull()) {
            return false;
        }
        String text = v.asText();
        int end = 0;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        if (!v.isTextual() || end == 0 || end > 6) {
            throw new BadInputException(file + ": sae_lens_version " + v + " is not a version number");
        }
        return Integer.parseInt(text.substring(0, end)) >= 6;
    }

    /**
     * Maps the keys of a pre-6.0 {@code cfg.json} (SAELens 0.x to 5.x) to those of 6.0, as SAELens's
     * {@code handle_pre_6_0_config} does, and keeps what the old file meant:
     * <ul>
     * <li>{@code hook_point} → {@code hook_name}, {@code hook_point_layer} → {@code hook_layer},
     *     {@code hook_point_head_index} → {@code hook_head_index}, {@code activation_fn_str} →
     *     {@code activation_fn}; provenance keys move into {@code metadata};</li>
     * <li>no {@code architecture} means {@code standard}; a standard SAE with {@code activation_fn} {@code topk} is
     *     a TopK SAE (before 5.x SAELens had no topk architecture: its TopK module, ReLU after the top-k selection,
     *     ran as the activation of a standard SAE), with k from {@code activation_fn_kwargs};</li>
     * <li>boolean {@code normalize_activations}: true is {@code expected_average_only_in}, false {@code none};</li>
     * <li>no {@code apply_b_dec_to_input} means true; no {@code reshape_activations} means {@code hook_z} for a
     *     {@code hook_z} hook and {@code none} otherwise; no {@code d_sae} means d_in × {@code expansion_factor}.</li>
     * </ul>
     */
    static ObjectNode upgrade(ObjectNode old, Path file) {
        ObjectNode in = old.deepCopy();
        rename(in, "hook_point", "hook_name");
        rename(in, "hook_point_layer", "hook_layer");
        rename(in, "hook_point_head_index", "hook_head_index");
        rename(in, "activation_fn_str", "activation_fn");

        ObjectNode out = Json.mapper().createObjectNode();
        String architecture = text(in, "architecture", "standard", file);
        String activation = text(in, "activation_fn", "relu", file);
        JsonNode kwargs = in.path("activation_fn_kwargs");
        if (architecture.equals("standard") && activation.equals("topk")) {
            architecture = "topk";
        } else if (architecture.equals("standard") && !activation.equals("relu")) {
            throw new BadInputException(file + ": activation_fn '" + activation + "' is not supported"
                    + " (sae4j reads relu and topk)");
        }
        if (kwargs.path("signed").asBoolean(false)) {
            throw new BadInputException(file + ": activation_fn_kwargs.signed = true (signed top-k) is not supported");
        }
        out.put("architecture", architecture);
        copy(in, out, "d_in");
        JsonNode dSae = in.get("d_sae");
        if ((dSae == null || dSae.isNull()) && in.path("expansion_factor").canConvertToInt()
                && in.path("d_in").canConvertToInt()) {
            out.put("d_sae", (long) in.get("d_in").asInt() * in.get("expansion_factor").asInt());
        } else {
            copy(in, out, "d_sae");
        }
        if (architecture.equals("topk")) {
            JsonNode k = kwargs.has("k") ? kwargs.get("k") : in.get("k");
            if (k != null) {
                out.set("k", k);
            }
        }
        copy(in, out, "dtype");
        copy(in, out, "device");
        out.set("apply_b_dec_to_input", in.has("apply_b_dec_to_input") ? in.get("apply_b_dec_to_input")
                : out.booleanNode(true));
        JsonNode normalize = in.get("normalize_activations");
        if (normalize == null || normalize.isNull()) {
            out.put("normalize_activations", "none");
        } else if (normalize.isBoolean()) {
            out.put("normalize_activations", normalize.booleanValue() ? "expected_average_only_in" : "none");
        } else {
            out.set("normalize_activations", normalize);
        }
        if (in.has("reshape_activations")) {
            copy(in, out, "reshape_activations");
        } else {
            out.put("reshape_activations", in.path("hook_name").asText("").contains("hook_z") ? "hook_z" : "none");
        }
        copy(in, out, "finetuning_scaling_factor");

        ObjectNode metadata = out.putObject("metadata");
        for (String key : METADATA_KEYS) {
            JsonNode v = in.get(key);
            if (v != null && !v.isNull()) {
                metadata.set(key, v);
            }
        }
        // sae4j wrote its provenance under "metadata" before it wrote sae_lens_version; keep it.
        if (in.path("metadata").isObject()) {
            metadata.setAll((ObjectNode) in.get("metadata"));
        }
        return out;
    }

    /** Reads a 6.x (or upgraded) cfg.json object. */
    static SaeLensConfig parse(ObjectNode cfg, boolean legacy, Path file) {
        int dIn = positiveInt(cfg, "d_in", file);
        int dSae = positiveInt(cfg, "d_sae", file);
        String name = text(cfg, "architecture", "standard", file);
        boolean rescale = false;
        Architecture architecture = switch (name) {
            case "standard" -> new Architecture.Standard();
            case "topk" -> {
                rescale = bool(cfg, "rescale_acts_by_decoder_norm", false, file);
                yield new Architecture.TopK(positiveInt(cfg, "k", file));
            }
            case "gated" -> new Architecture.Gated();
            case "jumprelu" -> new Architecture.JumpReLU();
            default -> throw new BadInputException(file + ": architecture '" + name + "' is not supported yet"
                    + " (sae4j reads standard, topk, gated and jumprelu)");
        };
        DType dtype = null;
        String dtypeName = text(cfg, "dtype", null, file);
        if (dtypeName != null) {
            dtype = DType.fromTorchName(dtypeName);
            if (dtype == null) {
                throw new BadInputException(file + ": unknown dtype '" + dtypeName
                        + "' (float32, float16, bfloat16 or float64)");
            }
        }
        boolean applyBDec = bool(cfg, "apply_b_dec_to_input", true, file);
        String normalize = text(cfg, "normalize_activations", "none", file);
        if (!normalize.equals("none") && !normalize.equals("expected_average_only_in")) {
            throw new BadInputException(file + ": normalize_activations '" + normalize + "' is not supported: it"
                    + " rescales every input at run time (sae4j reads none and expected_average_only_in)");
        }
        String reshape = text(cfg, "reshape_activations", "none", file);
        if (!reshape.equals("none")) {
            throw new BadInputException(file + ": reshape_activations '" + reshape + "' (per-head attention SAEs)"
                    + " is not supported");
        }
        boolean finetuning = bool(cfg, "finetuning_scaling_factor", false, file);
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
            SaeConfig config = new SaeConfig(dIn, dSae, architecture, applyBDec, normalize, metadata);
            return new SaeLensConfig(config, dtype, rescale, finetuning, legacy);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    private static void rename(ObjectNode cfg, String from, String to) {
        if (cfg.has(from) && !cfg.has(to)) {
            cfg.set(to, cfg.remove(from));
        }
    }

    private static void copy(ObjectNode from, ObjectNode to, String key) {
        if (from.has(key)) {
            to.set(key, from.get(key));
        }
    }

    static int positiveInt(JsonNode cfg, String key, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw new BadInputException(file + ": '" + key + "' must be a positive integer"
                    + (v == null ? " (missing)" : ", got " + v));
        }
        return v.asInt();
    }

    static String text(JsonNode cfg, String key, String fallback, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new BadInputException(file + ": '" + key + "' must be a string, got " + v);
        }
        return v.asText();
    }

    static boolean bool(JsonNode cfg, String key, boolean fallback, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new BadInputException(file + ": '" + key + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }
}
