package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.FiniteRows;
import org.sae4j.activations.NonFinite;
import org.sae4j.activations.SourceConfig;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.eval.EvalResult;
import org.sae4j.eval.Evaluator;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * {@code sae4j eval}: evaluates a saved SAE on stored or synthetic activations, prints a table and writes eval.json;
 * with {@code --model} the SAE is evaluated inside the language model instead ({@link ModelEval}).
 */
final class EvalCommand implements Command {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate a saved SAE: reconstruction, sparsity, ground-truth recovery on synthetic data;"
                + " with --model, spliced loss, KL, ablations, logit effects and examples";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("sae").hasArg().argName("DIR").required()
                .desc("SAE folder: SAELens or sparsify, told apart by its files").build());
        o.addOption(SaeOptions.hookpoint());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
                .desc("activation file or folder (default: the synthetic source recorded in the SAE's cfg.json)")
                .build());
        o.addOption(Option.builder().longOpt("text").hasArg().argName("FILE")
                .desc("an SAE trained on a live model: held-out text to run the model on (default: its training"
                        + " text in another order)").build());
        o.addOption(Option.builder().longOpt("dataset").hasArg().argName("NAME")
                .desc("HDF5 dataset path or safetensors tensor name").build());
        o.addOption(Option.builder().longOpt("tokens").hasArg().argName("N")
                .desc("vectors (with --model: tokens of text) to evaluate [200000]").build());
        o.addOption(Option.builder().longOpt("batch-size").hasArg().argName("N")
                .desc("vectors (with --model: tokens) per pass [4096]").build());
        o.addOption(Option.builder().longOpt("non-finite-inputs").hasArg().argName("POLICY")
                .desc("activation rows holding NaN/Inf in --data: stop (naming file, row, column) or skip"
                        + " (dropped, counted) [stop]").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE").desc("where to write eval.json"
                + " [DIR/eval.json]; with --model the per-feature folder features/ goes beside it").build());
        ModelOptions.addTo(o, false);
        ModelEval.addTo(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        LoadedSae loaded = SaeOptions.load(Path.of(line.getOptionValue("sae")), line);
        Path dir = loaded.dir();
        Sae sae = loaded.sae();
        // --text alone evaluates a live-model SAE's reconstruction on other text; with the model files given, the
        // full in-model evaluation runs (spliced loss, KL, ablations, examples).
        if (line.hasOption("model") || line.hasOption("tokenizer")) {
            return ModelEval.run(line, loaded, out, err);
        }
        long tokens = positive(line, "tokens", 200_000);
        int batch = (int) Math.min(positive(line, "batch-size", 4096), 1 << 20);
        NonFinite policy = NonFinite.named(line.getOptionValue("non-finite-inputs", "stop"));
        HeldOut heldOut = heldOut(line, sae);
        EvalResult result;
        try (FiniteRows source = heldOut.open(policy)) {
            result = Evaluator.evaluate(sae, source, tokens, batch, heldOut.groundTruth(), t -> { });
            if (source.skipped() > 0) {
                out.printf("skipped %,d activation rows holding NaN or Inf (first: %s)%n", source.skipped(),
                        source.firstSkipped());
            }
        } catch (BadInputException e) {
            throw HeldOut.withSkipHint(e);
        }
        out.println("sae4j eval: " + dir + " (" + loaded.format().cliName() + ") on " + heldOut.description());
        SaeOptions.printNotes(loaded.notes(), out);
        out.print(result.toTable());
        Path target = line.hasOption("out") ? Path.of(line.getOptionValue("out")) : dir.resolve("eval.json");
        Json.write(target, result.toJson());
        out.println("wrote " + target);
        return Main.OK;
    }

    private static HeldOut heldOut(CommandLine line, Sae sae) {
        if (line.hasOption("data")) {
            return new HeldOut(new SourceConfig.Files(line.getOptionValue("data"), line.getOptionValue("dataset"),
                    262_144, 0), 0, line.getOptionValue("data"));
        }
        Object recorded = sae.config().metadata().get("sae4j_source");
        if (recorded == null) {
            throw new BadInputException("--data is required: the SAE's cfg.json records no synthetic source");
        }
        JsonNode source = Json.mapper().valueToTree(recorded);
        if (source.path("type").asText().equals("model")) {
            SourceConfig.Model model = (SourceConfig.Model) TrainSettings.sourceConfig(source);
            if (line.hasOption("text")) {
                ModelFiles.file(line, "text");
                return new HeldOut(model.withText(line.getOptionValue("text"), model.seed()), 0,
                        line.getOptionValue("text") + " through " + model.model() + " at " + model.hookPoint());
            }
            return HeldOut.of(model, Json.mapper().createObjectNode());
        }
        if (line.hasOption("text")) {
            throw new BadInputException("--text applies to SAEs trained on a live model; this one was trained on "
                    + source.path("type").asText() + " data");
        }
        if (!source.path("type").asText().equals("synthetic")) {
            throw new BadInputException("--data is required: the SAE was trained on " + source.path("path").asText());
        }
        SourceConfig config = TrainSettings.sourceConfig(source);
        return HeldOut.of(config, Json.mapper().createObjectNode());
    }

    static long positive(CommandLine line, String flag, long fallback) {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        try {
            long v = Long.parseLong(line.getOptionValue(flag));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("--" + flag + ": expected a positive whole number, got '"
                + line.getOptionValue(flag) + "'");
    }
}
