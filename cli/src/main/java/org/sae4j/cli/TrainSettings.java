package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.SourceConfig;
import org.sae4j.activations.SyntheticConfig;
import org.sae4j.activations.model.CorpusFormat;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.trainer.TrainConfig;

/**
 * The settings of a training run, resolved in three layers: the embedded defaults, then a JSON file given with
 * {@code --config} (same layout as the run.json a run writes), then flags. Settings are JSON of four sections, each
 * flag naming one key (kebab-case of the key): {@code sae}, {@code source}, {@code train} (identity of the run: a
 * resume must match them) and {@code run} (where outputs go; free to change between resumes).
 */
final class TrainSettings {
    /** Record ↔ JSON with the snake_case keys of SAELens-style config files. */
    static final ObjectMapper SNAKE = Json.mapper().copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    record Flag(String name, String section, String key, String help) {
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("architecture", "sae", "architecture", "topk, standard (ReLU + decoder-norm-weighted L1),"
                    + " gated (Gated SAE, L1 on the gate), jumprelu, batchtopk or matryoshka (Matryoshka BatchTopK)"),
            new Flag("d-sae", "sae", "d_sae", "number of latents (0: expansion-factor × d_in)"),
            new Flag("expansion-factor", "sae", "expansion_factor", "d_sae / d_in when --d-sae is 0"),
            new Flag("k", "sae", "k", "TopK: active latents per token; BatchTopK, matryoshka: per token on average"),
            new Flag("matryoshka-widths", "sae", "matryoshka_widths", "matryoshka: nested prefix sizes, ascending,"
                    + " e.g. 128,256,1024 (d_sae is appended if missing)"),
            new Flag("apply-b-dec-to-input", "sae", "apply_b_dec_to_input", "encoder sees x − b_dec (true/false)"),

            new Flag("source", "source", "type", "synthetic, files (implied by --data) or model (implied by --model)"),
            new Flag("data", "source", "path", "activation file or folder: .h5/.hdf5, .npy, .safetensors;"
                    + " [rows, d_in], or [batch, seq, d_in] read as batch·seq rows"),
            new Flag("dataset", "source", "dataset", "HDF5 dataset path or safetensors tensor name"),
            new Flag("shuffle-buffer-rows", "source", "shuffle_buffer_rows", "rows shuffled together (files, model)"),
            new Flag("source-seed", "source", "seed", "seed of the data: synthetic features and rows, or the shuffle (files, model)"),
            new Flag("model", "source", "model", "model: llama2.c checkpoint to run live (no files in between)"),
            new Flag("tokenizer", "source", "tokenizer", "model: llama2.c tokenizer of the model"),
            new Flag("text", "source", "text", "model: corpus, plain text or JSONL (field \"text\")"),
            new Flag("text-format", "source", "text_format", "model: auto, endoftext, blank-lines or jsonl"),
            new Flag("layer", "source", "layers", "model: block(s) to read, comma-separated for one SAE each"),
            new Flag("hook", "source", "hooks", "model: resid_pre, attn_out, resid_mid, mlp_out, resid_post;"
                    + " comma-separated for one SAE each (× layers), all from one model pass"),
            new Flag("context-size", "source", "context_size", "model: tokens per context window"),
            new Flag("window-policy", "source", "window_policy", "model: truncate (a window per document, from"
                    + " BOS) or pack (documents back to back)"),
            new Flag("harvest-bos", "source", "harvest_bos", "model: also train on BOS positions"),
            new Flag("batch-tokens", "source", "batch_tokens", "model: most tokens per forward pass"),
            new Flag("d-in", "source", "d_in", "synthetic: dimension of the vectors"),
            new Flag("n-features", "source", "n_features", "synthetic: number of true features"),
            new Flag("mean-active", "source", "mean_active", "synthetic: expected active features per vector"),
            new Flag("alpha", "source", "alpha", "synthetic: power-law exponent of feature frequencies"),
            new Flag("min-magnitude", "source", "min_magnitude", "synthetic: smallest feature magnitude"),
            new Flag("max-magnitude", "source", "max_magnitude", "synthetic: largest feature magnitude"),
            new Flag("groups", "source", "groups", "synthetic: correlated feature groups"),
            new Flag("group-size", "source", "group_size", "synthetic: features per correlated group"),
            new Flag("group-probability", "source", "group_probability", "synthetic: chance a group co-fires"),
            new Flag("noise-std", "source", "noise_std", "synthetic: isotropic Gaussian noise"),

            new Flag("total-tokens", "train", "total_tokens", "activation vectors to train on"),
            new Flag("batch-size", "train", "batch_size", "vectors per step"),
            new Flag("lr", "train", "lr", "Adam's peak learning rate"),
            new Flag("adam-beta1", "train", "adam_beta1", "Adam β1"),
            new Flag("adam-beta2", "train", "adam_beta2", "Adam β2"),
            new Flag("adam-epsilon", "train", "adam_epsilon", "Adam ε"),
            new Flag("lr-warmup-steps", "train", "lr_warmup_steps", "linear learning-rate warm-up"),
            new Flag("lr-decay-fraction", "train", "lr_decay_fraction", "final fraction of steps decaying lr to 0"),
            new Flag("l1-coefficient", "train", "l1_coefficient", "standard, gated: L1 weight λ"),
            new Flag("l1-warmup-steps", "train", "l1_warmup_steps", "standard, gated: λ ramps up over these steps"),
            new Flag("aux-k-coefficient", "train", "aux_k_coefficient", "TopK, batchtopk, matryoshka: AuxK loss weight"),
            new Flag("k-aux", "train", "k_aux", "TopK, batchtopk, matryoshka: latents in AuxK (0: d_in/2)"),
            new Flag("l0-coefficient", "train", "l0_coefficient", "jumprelu: sparsity penalty weight λ"),
            new Flag("l0-warmup-steps", "train", "l0_warmup_steps", "jumprelu: λ ramps up over these steps"),
            new Flag("jumprelu-init-threshold", "train", "jumprelu_init_threshold", "jumprelu: initial θ"),
            new Flag("jumprelu-bandwidth", "train", "jumprelu_bandwidth",
                    "jumprelu: ε of the straight-through estimator's rectangle kernel"),
            new Flag("jumprelu-sparsity-loss-mode", "train", "jumprelu_sparsity_loss_mode",
                    "jumprelu: step (L0 penalty) or tanh (tanh(c·f·‖W_dec‖) penalty)"),
            new Flag("jumprelu-tanh-scale", "train", "jumprelu_tanh_scale", "jumprelu: c of the tanh penalty"),
            new Flag("topk-threshold-lr", "train", "topk_threshold_lr",
                    "batchtopk, matryoshka: EMA rate of the inference threshold"),
            new Flag("dead-tokens-threshold", "train", "dead_tokens_threshold", "tokens without firing = dead"),
            new Flag("resample-every-steps", "train", "resample_every_steps", "standard: resample dead latents"
                    + " every this many steps (Anthropic 2023; 0 = never)"),
            new Flag("resample-window-steps", "train", "resample_window_steps", "standard: resample latents silent"
                    + " for this many steps (0: half of resample-every-steps)"),
            new Flag("resample-events", "train", "resample_events", "standard: resample at most this many times"),
            new Flag("resample-sample-rows", "train", "resample_sample_rows", "standard: rows whose losses weight"
                    + " the draw of new directions"),
            new Flag("normalize-activations", "train", "normalize_activations", "scale inputs to E‖x‖=√d_in"),
            new Flag("init-sample-rows", "train", "init_sample_rows", "rows for input scale and b_dec init"),
            new Flag("checkpoint-every-steps", "train", "checkpoint_every_steps", "resumable checkpoint interval"),
            new Flag("log-every-steps", "train", "log_every_steps", "metrics.jsonl interval"),
            new Flag("seed", "train", "seed", "seed of the SAE's initialisation"),
            new Flag("non-finite-inputs", "train", "non_finite_inputs",
                    "activation rows holding NaN/Inf: stop (naming file, row, column) or skip (dropped, counted)"),

            new Flag("out", "run", "out", "output folder (default: runs/train-<time>)"),
            new Flag("eval-tokens", "run", "eval_tokens", "held-out vectors evaluated after training"),
            new Flag("eval-data", "run", "eval_data", "held-out activation file (default: the training data)"),
            new Flag("eval-text", "run", "eval_text", "model: held-out text (default: the training text)"),
            new Flag("dtype", "run", "dtype", "weights written: float32, float16 or bfloat16"));

    private TrainSettings() {
    }

    /** The embedded defaults: a TopK SAE on synthetic superposition that finishes in a few minutes on 2 cores. */
    static ObjectNode defaults() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode sae = root.putObject("sae");
        sae.put("architecture", "topk");
        sae.put("d_sae", 0);
        sae.put("expansion_factor", 8);
        sae.put("k", 8);
        sae.putArray("matryoshka_widths");
        sae.put("apply_b_dec_to_input", true);
        ObjectNode source = root.putObject("source");
        source.put("type", "synthetic");
        source.setAll((ObjectNode) SNAKE.valueToTree(SyntheticConfig.defaults()));
        source.putNull("path");
        source.putNull("dataset");
        source.put("shuffle_buffer_rows", 262_144);
        source.putNull("model");
        source.putNull("tokenizer");
        source.putNull("text");
        source.put("text_format", "auto");
        source.putArray("layers");
        source.putArray("hooks").add("resid_post");
        source.put("context_size", 512);
        source.put("window_policy", "truncate");
        source.put("harvest_bos", false);
        source.put("batch_tokens", 8192);
        root.set("train", SNAKE.valueToTree(TrainConfig.defaults()));
        ObjectNode run = root.putObject("run");
        run.putNull("out");
        run.put("eval_tokens", 200_000);
        run.putNull("eval_data");
        run.putNull("eval_text");
        run.put("dtype", "float32");
        return root;
    }

    static Options options() {
        Options options = new Options();
        options.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("JSON settings (layout of a run's run.json); flags override it").build());
        options.addOption(Option.builder().longOpt("resume")
                .desc("continue the run in --out from its latest checkpoint").build());
        ObjectNode d = defaults();
        for (Flag f : FLAGS) {
            JsonNode def = d.path(f.section()).path(f.key());
            String value = def.isArray() ? String.join(",", java.util.stream.StreamSupport.stream(def.spliterator(), false)
                    .map(JsonNode::asText).toList()) : def.asText();
            String shown = def.isNull() || def.isMissingNode() || value.isEmpty() ? "" : " [" + value + "]";
            options.addOption(Option.builder().longOpt(f.name()).hasArg().argName(argName(def))
                    .desc(f.help() + shown).build());
        }
        return options;
    }

    private static String argName(JsonNode def) {
        return def.isIntegralNumber() ? "N" : def.isNumber() ? "X" : def.isBoolean() ? "BOOL" : def.isArray() ? "LIST"
                : "VALUE";
    }

    /** Defaults, then --config, then flags; the source section is pruned to the keys of its type. */
    static ObjectNode resolve(CommandLine line) {
        ObjectNode settings = defaults();
        if (line.hasOption("config")) {
            Path file = Path.of(line.getOptionValue("config"));
            overlay(settings, Json.readTree(file), file.toString());
        }
        for (Flag f : FLAGS) {
            if (line.hasOption(f.name())) {
                ObjectNode section = (ObjectNode) settings.get(f.section());
                section.set(f.key(), parse("--" + f.name(), line.getOptionValue(f.name()), section.get(f.key())));
            }
        }
        ObjectNode source = (ObjectNode) settings.get("source");
        if (line.hasOption("data") && line.hasOption("model")) {
            throw new BadInputException("give --data (activation files) or --model (a live model), not both");
        }
        if (line.hasOption("data") && !line.hasOption("source")) {
            source.put("type", "files");
        }
        if (line.hasOption("model") && !line.hasOption("source")) {
            source.put("type", "model");
        }
        pruneSource(source);
        return canonical(settings);
    }

    /**
     * The settings as they read back from their own JSON. A flag parses to a LongNode where the file holds an
     * IntNode for the same number, and JsonNode equality tells them apart; a resume compares the checkpoint's
     * settings (read from disk) with these, so they must take the same form.
     */
    private static ObjectNode canonical(ObjectNode settings) {
        try {
            return (ObjectNode) Json.mapper().readTree(Json.mapper().writeValueAsString(settings));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("settings do not round-trip through JSON", e);
        }
    }

    private static void overlay(ObjectNode settings, JsonNode file, String where) {
        if (!file.isObject()) {
            throw new BadInputException(where + ": expected a JSON object with sections sae, source, train, run");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> section = it.next();
            JsonNode target = settings.get(section.getKey());
            if (target == null || !section.getValue().isObject()) {
                throw new BadInputException(where + ": unknown section '" + section.getKey()
                        + "' (expected sae, source, train, run)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> kv = section.getValue().fields(); kv.hasNext(); ) {
                Map.Entry<String, JsonNode> e = kv.next();
                if (!target.has(e.getKey())) {
                    throw new BadInputException(where + ": unknown setting '" + section.getKey() + "." + e.getKey()
                            + "'");
                }
                ((ObjectNode) target).set(e.getKey(), e.getValue());
            }
        }
    }

    private static JsonNode parse(String flag, String value, JsonNode def) {
        try {
            if (def != null && def.isIntegralNumber()) {
                return Json.mapper().getNodeFactory().numberNode(Long.parseLong(value.replace("_", "")));
            }
            if (def != null && def.isNumber()) {
                return Json.mapper().getNodeFactory().numberNode(Double.parseDouble(value));
            }
        } catch (NumberFormatException e) {
            throw new BadInputException(flag + ": expected a number, got '" + value + "'");
        }
        if (def != null && def.isArray()) {
            // Comma-separated; whole numbers become numbers (layers), anything else stays text (hook names).
            com.fasterxml.jackson.databind.node.ArrayNode items = Json.mapper().createArrayNode();
            for (String item : value.split(",", -1)) {
                String t = item.strip();
                if (t.isEmpty()) {
                    throw new BadInputException(flag + ": empty item in '" + value + "'");
                }
                if (t.matches("-?\\d{1,9}")) {
                    items.add(Integer.parseInt(t));
                } else {
                    items.add(t);
                }
            }
            return items;
        }
        if (def != null && def.isBoolean()) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new BadInputException(flag + ": expected true or false, got '" + value + "'");
            }
            return Json.mapper().getNodeFactory().booleanNode(Boolean.parseBoolean(value));
        }
        return Json.mapper().getNodeFactory().textNode(value);
    }

    private static final List<String> FILE_KEYS = List.of("type", "path", "dataset", "shuffle_buffer_rows", "seed");
    private static final List<String> MODEL_KEYS = List.of("type", "model", "tokenizer", "text", "text_format",
            "layers", "hooks", "context_size", "window_policy", "harvest_bos", "batch_tokens", "shuffle_buffer_rows",
            "seed");

    private static void pruneSource(ObjectNode source) {
        String type = source.path("type").asText();
        List<String> keep = switch (type) {
            case "synthetic" -> {
                List<String> k = new ArrayList<>(List.of("type"));
                SNAKE.valueToTree(SyntheticConfig.defaults()).fieldNames().forEachRemaining(k::add);
                yield k;
            }
            case "files" -> FILE_KEYS;
            case "model" -> MODEL_KEYS;
            default -> throw new BadInputException("--source: unknown source '" + type
                    + "' (synthetic, files or model)");
        };
        source.retain(keep);
    }

    /** The source section as a record; a model source must name one layer and one hook ({@link #modelSources}). */
    static SourceConfig sourceConfig(JsonNode source) {
        ObjectNode fields = source.deepCopy();
        String type = fields.remove("type").asText();
        if (type.equals("synthetic")) {
            return new SourceConfig.Synthetic(bind(fields, SyntheticConfig.class, "source"));
        }
        if (type.equals("model")) {
            List<SourceConfig.Model> all = modelSources(source);
            if (all.size() != 1) {
                throw new BadInputException("source: expected one layer and hook, got " + all.size() + " hook points");
            }
            return all.get(0);
        }
        if (fields.path("path").isNull()) {
            throw new BadInputException("--data is required for a files source");
        }
        try {
            return new SourceConfig.Files(fields.path("path").asText(),
                    fields.path("dataset").isNull() ? null : fields.path("dataset").asText(),
                    fields.path("shuffle_buffer_rows").asInt(), fields.path("seed").asLong());
        } catch (IllegalArgumentException e) {
            throw new BadInputException("source: " + e.getMessage());
        }
    }

    /** A model source section as one record per hook point: every layer × every hook, layers outermost. */
    static List<SourceConfig.Model> modelSources(JsonNode source) {
        for (String key : List.of("model", "tokenizer", "text")) {
            if (source.path(key).isNull() || source.path(key).asText().isBlank()) {
                throw new BadInputException("--" + key + " is required for a model source");
            }
        }
        JsonNode layers = source.path("layers");
        JsonNode hooks = source.path("hooks");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new BadInputException("--layer is required for a model source (e.g. --layer 2)");
        }
        if (!hooks.isArray() || hooks.isEmpty()) {
            throw new BadInputException("--hook is required for a model source (e.g. --hook resid_post)");
        }
        List<SourceConfig.Model> out = new java.util.ArrayList<>();
        for (JsonNode l : layers) {
            if (!l.isInt() || l.asInt() < 0) {
                throw new BadInputException("--layer: expected whole numbers >= 0, got " + layers);
            }
            for (JsonNode h : hooks) {
                HookPoint point = new HookPoint(l.asInt(), HookKind.parse(h.asText()));
                try {
                    out.add(new SourceConfig.Model(source.path("model").asText(), source.path("tokenizer").asText(),
                            source.path("text").asText(), CorpusFormat.parse(source.path("text_format").asText()),
                            point, source.path("context_size").asInt(),
                            WindowPolicy.parse(source.path("window_policy").asText()),
                            source.path("harvest_bos").asBoolean(), source.path("batch_tokens").asInt(),
                            source.path("shuffle_buffer_rows").asInt(), source.path("seed").asLong()));
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("source: " + e.getMessage());
                }
            }
        }
        if (out.stream().map(SourceConfig.Model::hookPoint).distinct().count() != out.size()) {
            throw new BadInputException("--layer/--hook name the same hook point twice: " + layers + " × " + hooks);
        }
        return out;
    }

    /** The source section narrowed to one hook point of a model source: what that SAE alone was trained on. */
    static ObjectNode narrowed(JsonNode source, HookPoint point) {
        ObjectNode s = source.deepCopy();
        s.putArray("layers").add(point.layer());
        s.putArray("hooks").add(point.kind().shortName());
        return s;
    }

    static TrainConfig trainConfig(JsonNode train) {
        return bind(train, TrainConfig.class, "train");
    }

    static SaeConfig saeConfig(JsonNode sae, int dIn, Map<String, Object> metadata) {
        String name = sae.path("architecture").asText();
        int k = sae.path("k").asInt();
        long dSae = sae.path("d_sae").asLong();
        if (dSae == 0) {
            dSae = sae.path("expansion_factor").asLong() * dIn;
        }
        if (dSae < 1 || dSae > Integer.MAX_VALUE / Math.max(1, dIn)) {
            throw new BadInputException("d_sae must be positive and d_sae × d_in must fit in memory, got " + dSae);
        }
        if (!name.equals("standard") && !name.equals("gated") && !name.equals("jumprelu") && k < 1) {
            throw new BadInputException("--k must be at least 1, got " + k);
        }
        Architecture architecture = switch (name) {
            case "topk" -> new Architecture.TopK(k);
            case "standard" -> new Architecture.Standard();
            case "gated" -> new Architecture.Gated();
            case "jumprelu" -> new Architecture.JumpReLU();
            case "batchtopk" -> new Architecture.BatchTopK(k);
            case "matryoshka", "matryoshka_batchtopk" -> MatryoshkaWidths.architecture(k,
                    sae.path("matryoshka_widths"), (int) dSae);
            default -> throw new BadInputException("--architecture: unknown architecture '" + name
                    + "' (topk, standard, gated, jumprelu, batchtopk or matryoshka)");
        };
        try {
            return new SaeConfig(dIn, (int) dSae, architecture, sae.path("apply_b_dec_to_input").asBoolean(),
                    "none", new LinkedHashMap<>(metadata));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("sae: " + e.getMessage());
        }
    }

    private static <T> T bind(JsonNode node, Class<T> type, String section) {
        try {
            return SNAKE.treeToValue(node, type);
        } catch (com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
            String field = e.getPath().isEmpty() ? "?" : e.getPath().get(e.getPath().size() - 1).getFieldName();
            Class<?> target = e.getTargetType();
            String what = target.isEnum() ? "is not allowed (" + Json.mapper().convertValue(target.getEnumConstants(),
                    JsonNode.class).toString().replaceAll("[\\[\\]\"]", "").replace(",", ", ") + ")"
                    : target == boolean.class || target == Boolean.class ? "is not true or false"
                    : target.isPrimitive() || Number.class.isAssignableFrom(target) ? "is not a number"
                    : "is not a " + target.getSimpleName();
            throw new BadInputException(section + "." + field + ": '" + e.getValue() + "' " + what);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String message = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            throw new BadInputException(section + ": " + message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(section + ": " + e.getOriginalMessage());
        }
    }
}
