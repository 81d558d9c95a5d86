package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.NonFinite;
import org.sae4j.activations.SourceConfig;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.eval.EvalResult;
import org.sae4j.eval.Evaluator;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.trainer.TrainConfig;
import org.sae4j.trainer.TrainResult;
import org.sae4j.trainer.Trainer;

/** {@code sae4j train}: trains an SAE, writes a self-describing output folder, and evaluates it on held-out data. */
final class TrainCommand implements Command {
    /** How the activation sources word a row that stops the run (FiniteRows, ShuffledFileSource). */
    private static final Pattern NON_FINITE = Pattern.compile("holds (NaN|-?Infinity) at column \\d+$");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train an SAE (default: TopK on synthetic superposition with known features)";
    }

    @Override
    public Options options() {
        return TrainSettings.options();
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws IOException {
        ObjectNode settings = TrainSettings.resolve(line);
        boolean resume = line.hasOption("resume");
        Path outDir = outputFolder(settings, resume);
        SourceConfig sourceConfig = TrainSettings.sourceConfig(settings.get("source"));
        TrainConfig trainConfig = TrainSettings.trainConfig(settings.get("train"));
        DType weights = DType.weightType(settings.get("run").path("dtype").asText());
        // The trainer filters NaN/Inf rows (train.non_finite_inputs); to skip them the source must hand them out, and
        // to stop on them a file source finds them early, when it loads a shuffle block.
        boolean skip = trainConfig.nonFiniteInputs() == NonFinite.SKIP;
        try (ActivationSource source = skip ? sourceConfig.openUnfiltered() : sourceConfig.open()) {
            SaeConfig saeConfig = TrainSettings.saeConfig(settings.get("sae"), source.dIn(),
                    metadata(settings, trainConfig));
            ObjectNode identity = settings.deepCopy();
            identity.remove("run");
            ((ObjectNode) settings.get("run")).put("out", outDir.toString());
            out.println("sae4j train: resolved settings");
            out.println(Json.mapper().writeValueAsString(settings));
            TrainResult result;
            try {
                result = train(saeConfig, trainConfig, source, outDir, settings, identity, resume, err);
            } catch (BadInputException e) {
                throw NON_FINITE.matcher(e.getMessage()).find()
                        ? new BadInputException(e.getMessage() + " (--non-finite-inputs skip drops such rows)", e) : e;
            }
            out.printf("trained %,d steps (%,d tokens) in %.1f s; SAE written to %s%n", result.steps(),
                    result.tokens(), result.seconds(), outDir);
            if (result.skippedRows() > 0) {
                out.printf("skipped %,d activation rows holding NaN or Inf (first: %s)%n", result.skippedRows(),
                        result.firstSkipped());
            }
            Sae trained = result.sae();
            if (weights != DType.F32) {
                // The trainer saves float32; narrow the saved weights, and evaluate what is on disk.
                SaeLensFormat.save(trained, SaeLensFormat.logSparsity(result.firingFrequency()), weights, outDir);
                trained = SaeLensFormat.load(outDir);
                out.println("weights stored as " + weights.torchName());
            }

            HeldOut heldOut = HeldOut.of(sourceConfig, settings.get("run"));
            long evalTokens = settings.get("run").path("eval_tokens").asLong();
            EvalResult eval;
            try (ActivationSource evalSource = heldOut.open(trainConfig.nonFiniteInputs())) {
                eval = Evaluator.evaluate(trained, evalSource, evalTokens,
                        trainConfig.batchSize(), heldOut.groundTruth(), tokens -> { });
            }
            out.println("evaluation on " + heldOut.description() + ":");
            out.print(eval.toTable());
            Json.write(outDir.resolve("eval.json"), eval.toJson());
            RunSummary.write(outDir, settings, result, eval, heldOut.description());
            return Main.OK;
        }
    }

    /**
     * Runs the trainer. A run that fails before its first checkpoint leaves nothing behind in a folder this call
     * created (a half-made folder would block the next attempt); a later failure keeps the folder for --resume.
     */
    private static TrainResult train(SaeConfig saeConfig, TrainConfig trainConfig, ActivationSource source,
                                     Path outDir, ObjectNode settings, ObjectNode identity, boolean resume,
                                     PrintStream err) throws IOException {
        boolean fresh = !Files.exists(outDir);
        try (ProgressDisplay progress = new ProgressDisplay(err)) {
            Files.createDirectories(outDir);
            Json.write(outDir.resolve("run.json"), settings);
            return new Trainer(saeConfig, trainConfig, source, outDir, identity, progress).fit(resume);
        } catch (IOException | RuntimeException | Error e) {
            if (fresh && !Trainer.hasCheckpoint(outDir)) {
                deleteTree(outDir);
            }
            throw e;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path outputFolder(ObjectNode settings, boolean resume) throws IOException {
        JsonNode out = settings.get("run").get("out");
        Path dir = out.isNull()
                ? Path.of("runs", "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                : Path.of(out.asText());
        boolean hasRun = Files.exists(dir.resolve("run.json")) || Files.exists(dir.resolve("checkpoints"));
        if (resume && !hasRun) {
            throw new BadInputException("--resume: " + dir + " holds no run to resume (give its folder with --out)");
        }
        if (!resume && hasRun) {
            throw new BadInputException(dir + " already holds a run; add --resume to continue it, or choose another"
                    + " --out");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--out: " + dir + " is a file, not a folder");
        }
        return dir;
    }

    /** Provenance saved in cfg.json's metadata, as SAELens does (plus sae4j's own source record). */
    private static Map<String, Object> metadata(ObjectNode settings, TrainConfig train) {
        Map<String, Object> m = new LinkedHashMap<>();
        JsonNode source = settings.get("source");
        m.put("sae_lens_training_version", "sae4j " + Version.get());
        m.put("dataset_path", source.path("type").asText().equals("synthetic") ? "synthetic"
                : source.path("path").asText());
        m.put("training_tokens", train.totalTokens());
        m.put("sae4j_source", Json.mapper().convertValue(source, Map.class));
        return m;
    }
}
