package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.Corpus;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.eval.model.FeatureFiles;
import org.sae4j.eval.model.ModelEvalConfig;
import org.sae4j.eval.model.ModelEvalResult;
import org.sae4j.eval.model.ModelEvaluator;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * {@code sae4j eval --model ...}: the SAE evaluated inside the language model on held-out text. Writes eval.json
 * and, beside it, the per-feature folder {@code features/}.
 */
final class ModelEval {
    private ModelEval() {
    }

    /** The options only this mode has (the model's own are {@link ModelOptions}). */
    static void addTo(Options o) {
        o.addOption(Option.builder().longOpt("text").hasArg().argName("FILE")
                .desc("with --model: held-out text (blank-line, <|endoftext|> or JSONL documents)").build());
        o.addOption(Option.builder().longOpt("context-size").hasArg().argName("N")
                .desc("with --model: tokens per document from BOS, longer ones truncated [512]").build());
        o.addOption(Option.builder().longOpt("ablate").hasArg().argName("N")
                .desc("with --model: ablate the N most frequent features one at a time [64]").build());
        o.addOption(Option.builder().longOpt("ablation-documents").hasArg().argName("N")
                .desc("with --model: each ablated feature's mean effects over the first N documents it fires in"
                        + " (plus those of its top examples) [50]").build());
        o.addOption(Option.builder().longOpt("top-examples").hasArg().argName("N")
                .desc("with --model: top-activating examples kept per feature [10]").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("N")
                .desc("with --model: seeds the sampling of interval examples [0]").build());
    }

    static int run(CommandLine line, LoadedSae loaded, PrintStream out, PrintStream err) throws Exception {
        if (line.hasOption("data") || line.hasOption("dataset")) {
            throw new BadInputException("--data reads stored activations, --model computes them: give one");
        }
        if (!line.hasOption("text")) {
            throw new BadInputException("--model needs --text: the held-out text to evaluate on");
        }
        ModelOptions.Loaded m = ModelOptions.load(line, loaded.sae());
        Path textPath = Path.of(line.getOptionValue("text"));
        List<String> documents = Corpus.read(textPath);
        ModelEvalConfig defaults = ModelEvalConfig.defaults(m.hook());
        ModelEvalConfig config = new ModelEvalConfig(m.hook(),
                (int) Math.min(EvalCommand.positive(line, "context-size", defaults.contextSize()), m.model().config().seqLen()),
                (int) Math.min(EvalCommand.positive(line, "batch-size", defaults.batchTokens()), 1 << 20),
                EvalCommand.positive(line, "tokens", 200_000),
                (int) Math.min(ModelOptions.nonNegative(line, "ablate", defaults.ablatedFeatures()), 1 << 20),
                (int) Math.min(EvalCommand.positive(line, "ablation-documents", defaults.ablationDocuments()),
                        Integer.MAX_VALUE),
                (int) Math.min(ModelOptions.nonNegative(line, "top-examples", defaults.topExamples()), 1000),
                defaults.quantileGroups(), defaults.examplesPerGroup(), defaults.contextBefore(),
                defaults.contextAfter(), defaults.logitTokens(), defaults.neighbours(), defaults.histogramBins(),
                ModelOptions.nonNegative(line, "seed", defaults.seed()));
        Path target = line.hasOption("out") ? Path.of(line.getOptionValue("out"))
                : loaded.dir().resolve("eval.json");
        out.println("sae4j eval: " + loaded.dir() + " (" + loaded.format().cliName() + ") at " + m.hook() + " of "
                + m.modelPath() + " on " + textPath);
        SaeOptions.printNotes(loaded.notes(), out);
        ModelEvalResult result;
        try (EvalProgress progress = new EvalProgress(err)) {
            result = ModelEvaluator.evaluate(m.model(), m.tokenizer(), loaded.sae(), documents, config, progress);
        }
        out.print(result.toTable());
        ObjectNode json = result.toJson();
        ObjectNode inputs = json.putObject("inputs");
        inputs.put("sae", loaded.dir().toString());
        inputs.put("model", m.modelPath().toString());
        inputs.put("tokenizer", m.tokenizerPath().toString());
        inputs.put("text", textPath.toString());
        Path features = target.toAbsolutePath().resolveSibling(ModelEvalResult.FEATURES_DIR);
        FeatureFiles.write(features, result, m.tokenizer());
        Json.write(target, json);
        out.println("wrote " + target + " and " + features + "/ (" + result.features().size() + " features)");
        return Main.OK;
    }
}
