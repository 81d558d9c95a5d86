package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.NonFinite;
import org.sae4j.activations.SourceConfig;
import org.sae4j.dictionary.Nd4jNatives;
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
import org.sae4j.trainer.TrainingListener;

/**
 * {@code sae4j train}: trains an SAE, writes a self-describing output folder, and evaluates it on held-out data.
 * A live-model source naming several hook points ({@code --layer 1,2 --hook resid_post,mlp_out}) trains one SAE per
 * point from a single model pass: the trainers run side by side, each on its own thread and in its own subfolder
 * ({@code <out>/blocks.2.hook_resid_post/}), reading the same blocks of activations as the model computes them.
 */
final class TrainCommand implements Command {

    /** One SAE to train: its source, its own settings (source narrowed to its hook point), its folder. */
    private record Job(String name, SourceConfig source, ObjectNode settings, Path dir) {
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train an SAE on synthetic data, activation files, or a live llama2.c model (default: synthetic)";
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
        TrainConfig trainConfig = TrainSettings.trainConfig(settings.get("train"));
        DType weights = DType.weightType(settings.get("run").path("dtype").asText()); // checked before any work
        List<Job> jobs = jobs(settings, outDir);
        ((ObjectNode) settings.get("run")).put("out", outDir.toString());

        // The trainer filters NaN/Inf rows (train.non_finite_inputs); to skip them the source must hand them out, and
        // to stop on them a file source finds them early, when it loads a shuffle block.
        List<ActivationSource> sources = open(jobs, trainConfig.nonFiniteInputs() == NonFinite.SKIP);
        try {
            List<TrainResult> results;
            try (ProgressDisplay progress = new ProgressDisplay(err)) {
                List<Trainer> trainers = new ArrayList<>();
                for (Job job : jobs) {
                    ActivationSource source = sources.get(trainers.size());
                    SaeConfig saeConfig = TrainSettings.saeConfig(settings.get("sae"), source.dIn(),
                            metadata(job, trainConfig));
                    ObjectNode identity = job.settings().deepCopy();
                    identity.remove("run");
                    trainers.add(new Trainer(saeConfig, trainConfig, source, job.dir(), identity,
                            trainers.isEmpty() ? progress : warningsOnly(progress, job.name())));
                }
                out.println("sae4j train: resolved settings");
                out.println(Json.mapper().writeValueAsString(settings));
                out.println("nd4j natives: " + Nd4jNatives.inForce().label()); // a fact of this JVM, not a setting
                boolean fresh = !Files.exists(outDir);
                try {
                    Files.createDirectories(outDir);
                    Json.write(outDir.resolve("run.json"), settings);
                    if (jobs.size() > 1) {
                        out.println("training " + jobs.size() + " SAEs from one model pass (progress shows the"
                                + " first): " + String.join(", ", jobs.stream().map(Job::name).toList()));
                        for (Job job : jobs) {
                            Files.createDirectories(job.dir());
                            Json.write(job.dir().resolve("run.json"), job.settings());
                        }
                    }
                    results = fitStoppingOnSignals(trainers, jobs, resume);
                } catch (BadInputException e) {
                    if (fresh && !anyCheckpoint(jobs)) {
                        deleteTree(outDir);
                    }
                    throw HeldOut.withSkipHint(e);
                } catch (IOException | RuntimeException | Error e) {
                    // A run that fails before its first checkpoint leaves nothing behind in a folder this call
                    // created (a half-made folder would block the next attempt); a later failure keeps it for
                    // --resume.
                    if (fresh && !anyCheckpoint(jobs)) {
                        deleteTree(outDir);
                    }
                    throw e;
                }
            }
            evaluate(jobs, results, settings, trainConfig, weights, out);
            return Main.OK;
        } finally {
            for (ActivationSource s : sources) {
                s.close();
            }
        }
    }

    /**
     * The listener of every SAE after the first, whose progress the bar shows: its warnings (rows skipped, latents
     * resampled, where it stopped on a signal), each line led by the SAE's hook point.
     */
    private static TrainingListener warningsOnly(ProgressDisplay progress, String name) {
        return new TrainingListener() {
            @Override
            public void warning(String line) {
                progress.warning(name + ": " + line);
            }
        };
    }

    /** One job per hook point of a live-model source, else the one job of the run. */
    private static List<Job> jobs(ObjectNode settings, Path outDir) {
        JsonNode source = settings.get("source");
        if (!source.path("type").asText().equals("model")) {
            return List.of(new Job("sae", TrainSettings.sourceConfig(source), settings, outDir));
        }
        List<SourceConfig.Model> models = TrainSettings.modelSources(source);
        List<Job> jobs = new ArrayList<>();
        for (SourceConfig.Model m : models) {
            ObjectNode own = settings.deepCopy();
            own.set("source", TrainSettings.narrowed(source, m.hookPoint()));
            Path dir = models.size() == 1 ? outDir : outDir.resolve(m.hookPoint().name());
            ((ObjectNode) own.get("run")).put("out", dir.toString());
            jobs.add(new Job(m.hookPoint().name(), m, own, dir));
        }
        return jobs;
    }

    private static List<ActivationSource> open(List<Job> jobs, boolean unfiltered) throws IOException {
        if (jobs.size() == 1) {
            SourceConfig source = jobs.get(0).source();
            return List.of(unfiltered ? source.openUnfiltered() : source.open());
        }
        List<SourceConfig.Model> models = jobs.stream().map(j -> (SourceConfig.Model) j.source()).toList();
        return new ArrayList<>(SourceConfig.Model.openShared(models));
    }

    /**
     * {@link #fitAll}, with SIGINT and SIGTERM (a Ctrl-C; a cluster scheduler's notice before it kills the job)
     * turned into a stop after the step in progress and a checkpoint of it. The JVM runs its shutdown hooks on those
     * signals and exits when they return; this one asks every trainer to stop and waits, up to
     * {@value #STOP_WAIT_SECONDS} s, until each has (a checkpoint at d_sae 16384 takes about a second).
     */
    private static List<TrainResult> fitStoppingOnSignals(List<Trainer> trainers, List<Job> jobs, boolean resume)
            throws IOException {
        Thread hook = new Thread(() -> {
            trainers.forEach(Trainer::requestStop);
            try {
                for (Trainer t : trainers) {
                    if (!t.awaitFitDone(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        return; // the JVM exits regardless; a checkpoint half-written stays a temp folder
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sae4j-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return fitAll(trainers, jobs, resume);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: the JVM exits once it returns.
            }
        }
    }

    private static final int STOP_WAIT_SECONDS = 60;

    /** Runs every trainer to the end: the only one on this thread, or several side by side ({@link SideBySide}). */
    private static List<TrainResult> fitAll(List<Trainer> trainers, List<Job> jobs, boolean resume)
            throws IOException {
        if (trainers.size() == 1) {
            return List.of(trainers.get(0).fit(resume));
        }
        List<SideBySide.Run<TrainResult>> runs = new ArrayList<>();
        for (Trainer t : trainers) {
            runs.add(new SideBySide.Run<>() {
                @Override
                public TrainResult fit(boolean resumeIt) throws IOException {
                    return t.fit(resumeIt);
                }

                @Override
                public void requestStop(String reason) {
                    t.requestStop(reason);
                }
            });
        }
        return SideBySide.fitAll(runs, jobs.stream().map(Job::name).toList(), resume);
    }

    private static boolean anyCheckpoint(List<Job> jobs) throws IOException {
        for (Job job : jobs) {
            if (Trainer.hasCheckpoint(job.dir())) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Evaluates every trained SAE on its held-out data and writes eval.json and the README of its folder. */
    private static void evaluate(List<Job> jobs, List<TrainResult> results, ObjectNode settings,
                                 TrainConfig trainConfig, DType weights, PrintStream out) throws IOException {
        long evalTokens = settings.get("run").path("eval_tokens").asLong();
        List<HeldOut> heldOuts = new ArrayList<>();
        for (Job job : jobs) {
            heldOuts.add(HeldOut.of(job.source(), settings.get("run")));
        }
        List<ActivationSource> evalSources = HeldOut.openAll(heldOuts, trainConfig.nonFiniteInputs());
        try {
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                TrainResult result = results.get(i);
                out.printf("trained %s: %,d steps (%,d tokens) in %.1f s; SAE written to %s%n", job.name(),
                        result.steps(), result.tokens(), result.seconds(), job.dir());
                if (result.skippedRows() > 0) {
                    out.printf("skipped %,d activation rows holding NaN or Inf (first: %s)%n", result.skippedRows(),
                            result.firstSkipped());
                }
                Sae trained = result.sae();
                if (weights != DType.F32) {
                    // The trainer saves float32; narrow the saved weights, and evaluate what is on disk.
                    SaeLensFormat.save(trained, SaeLensFormat.logSparsity(result.firingFrequency()), weights,
                            job.dir());
                    trained = SaeLensFormat.load(job.dir());
                    out.println("weights stored as " + weights.torchName());
                }
                HeldOut heldOut = heldOuts.get(i);
                EvalResult eval = Evaluator.evaluate(trained, evalSources.get(i), evalTokens,
                        trainConfig.batchSize(), heldOut.groundTruth(), tokens -> { });
                out.println("evaluation on " + heldOut.description() + ":");
                out.print(eval.toTable());
                Json.write(job.dir().resolve("eval.json"), eval.toJson());
                RunSummary.write(job.dir(), job.settings(), result, eval, heldOut.description());
            }
        } finally {
            for (ActivationSource s : evalSources) {
                s.close();
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

    /** What a harvest folder's harvest.json says about where its activations were read (model, hook), if any. */
    private static Map<String, Object> harvestProvenance(JsonNode source) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!source.path("type").asText().equals("files")) {
            return m;
        }
        Path harvest = Path.of(source.path("path").asText()).resolve("harvest.json");
        if (Files.isRegularFile(harvest)) {
            JsonNode h = Json.readTree(harvest);
            String file = Path.of(h.path("model").asText()).getFileName().toString();
            m.put("model_name", file.endsWith(".bin") ? file.substring(0, file.length() - 4) : file);
            m.put("hook_name", h.path("hook_name").asText());
            m.put("context_size", h.path("context_size").asInt());
            m.put("prepend_bos", true);
        }
        return m;
    }

    /** Provenance saved in cfg.json's metadata, with SAELens' keys where it has them, plus sae4j's source record. */
    private static Map<String, Object> metadata(Job job, TrainConfig train) {
        Map<String, Object> m = new LinkedHashMap<>();
        JsonNode source = job.settings().get("source");
        m.put("sae_lens_training_version", "sae4j " + Version.get());
        if (job.source() instanceof SourceConfig.Model model) {
            String file = Path.of(model.model()).getFileName().toString();
            m.put("model_name", file.endsWith(".bin") ? file.substring(0, file.length() - 4) : file);
            m.put("hook_name", model.hookPoint().name());
            m.put("hook_layer", model.hookPoint().layer());
            m.put("context_size", model.contextSize());
            m.put("prepend_bos", true);
            m.put("dataset_path", model.text());
        } else {
            m.put("dataset_path", source.path("type").asText().equals("synthetic") ? "synthetic"
                    : source.path("path").asText());
            m.putAll(harvestProvenance(source));
        }
        m.put("training_tokens", train.totalTokens());
        m.put("sae4j_source", Json.mapper().convertValue(source, Map.class));
        return m;
    }
}
