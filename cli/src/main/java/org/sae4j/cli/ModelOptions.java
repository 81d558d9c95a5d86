package org.sae4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.Sae;
import org.sae4j.formats.BadInputException;

/**
 * The options of commands that run an SAE inside the language model ({@code eval --model}, {@code steer}): the
 * llama2.c checkpoint and tokenizer, and the hook point, by default the SAE's own {@code hook_name}.
 */
final class ModelOptions {
    private ModelOptions() {
    }

    /** A loaded model with its tokenizer and the hook point the SAE sits at, all checked against each other. */
    record Loaded(LlamaModel model, Tokenizer tokenizer, HookPoint hook, Path modelPath, Path tokenizerPath) {
    }

    static void addTo(Options o, boolean required) {
        o.addOption(Option.builder().longOpt("model").hasArg().argName("FILE").required(required)
                .desc("llama2.c checkpoint (e.g. stories260K.bin)").build());
        o.addOption(Option.builder().longOpt("tokenizer").hasArg().argName("FILE").required(required)
                .desc("its llama2.c tokenizer (e.g. tok512.bin)").build());
        o.addOption(Option.builder().longOpt("layer").hasArg().argName("N")
                .desc("block of the hook point [from the SAE's cfg.json hook_name]").build());
        o.addOption(Option.builder().longOpt("hook").hasArg().argName("NAME")
                .desc("resid_pre|attn_out|resid_mid|mlp_out|resid_post, or a full name such as"
                        + " blocks.2.hook_resid_post [from the SAE's cfg.json hook_name]").build());
    }

    /** Loads model and tokenizer, resolves the hook, and checks the SAE's width against the model's. */
    static Loaded load(CommandLine line, Sae sae) throws IOException {
        if (!line.hasOption("model") || !line.hasOption("tokenizer")) {
            throw new BadInputException("--model and --tokenizer go together");
        }
        Path modelPath = Path.of(line.getOptionValue("model"));
        Path tokenizerPath = Path.of(line.getOptionValue("tokenizer"));
        LlamaModel model = LlamaModel.load(modelPath);
        Tokenizer tokenizer = Tokenizer.load(tokenizerPath, model.config().vocabSize());
        HookPoint hook = hook(line, sae);
        if (hook.layer() >= model.config().nLayers()) {
            throw new BadInputException("hook " + hook + ": the model has " + model.config().nLayers()
                    + " layers (0.." + (model.config().nLayers() - 1) + ")");
        }
        if (sae.config().dIn() != model.config().dim()) {
            throw new BadInputException("the SAE has d_in = " + sae.config().dIn() + " but the model's " + hook
                    + " is " + model.config().dim() + " wide; wrong SAE or model?");
        }
        return new Loaded(model, tokenizer, hook, modelPath, tokenizerPath);
    }

    /**
     * {@code --hook} as a full name wins; otherwise {@code --layer} and {@code --hook} each override their half of
     * the SAE's {@code hook_name} (or, for a sparsify folder {@code layers.N}, the residual stream after block N).
     */
    static HookPoint hook(CommandLine line, Sae sae) {
        Integer layer = line.hasOption("layer") ? (int) nonNegative(line, "layer") : null;
        String hookArg = line.getOptionValue("hook");
        if (hookArg != null && hookArg.strip().startsWith("blocks.")) {
            HookPoint full = HookPoint.parse(hookArg);
            if (layer != null && layer != full.layer()) {
                throw new BadInputException("--layer " + layer + " contradicts --hook " + hookArg);
            }
            return full;
        }
        if (hookArg != null && layer != null) {
            return new HookPoint(layer, kind(hookArg));
        }
        HookPoint recorded = recorded(sae);
        HookKind kind = hookArg != null ? kind(hookArg) : recorded == null ? null : recorded.kind();
        Integer l = layer != null ? layer : recorded == null ? null : recorded.layer();
        if (kind == null || l == null) {
            throw new BadInputException("the SAE's cfg.json names no hook (metadata.hook_name); pass --layer N and"
                    + " --hook resid_post, or --hook blocks.N.hook_resid_post");
        }
        return new HookPoint(l, kind);
    }

    /** The hook point the SAE's metadata names, or null. */
    private static HookPoint recorded(Sae sae) {
        Object name = sae.config().metadata().get("hook_name");
        if (name != null) {
            return HookPoint.parse(name.toString());
        }
        Object sparsify = sae.config().metadata().get("sparsify_hookpoint");
        if (sparsify != null && sparsify.toString().matches("layers\\.\\d{1,9}")) {
            return new HookPoint(Integer.parseInt(sparsify.toString().substring("layers.".length())),
                    HookKind.RESID_POST);
        }
        return null;
    }

    private static HookKind kind(String arg) {
        String s = arg.strip().toLowerCase(Locale.ROOT);
        try {
            return HookKind.fromSuffix(s.startsWith("hook_") ? s : "hook_" + s);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--hook '" + arg + "': expected resid_pre, attn_out, resid_mid, mlp_out,"
                    + " resid_post or blocks.N.hook_<kind>");
        }
    }

    static long nonNegative(CommandLine line, String flag) {
        try {
            long v = Long.parseLong(line.getOptionValue(flag).strip());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("--" + flag + ": expected a whole number >= 0, got '"
                + line.getOptionValue(flag) + "'");
    }

    static long nonNegative(CommandLine line, String flag, long fallback) {
        return line.hasOption(flag) ? nonNegative(line, flag) : fallback;
    }

    static float decimal(CommandLine line, String flag, float fallback) {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        try {
            float v = Float.parseFloat(line.getOptionValue(flag).strip());
            if (Float.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("--" + flag + ": expected a number, got '" + line.getOptionValue(flag) + "'");
    }
}
