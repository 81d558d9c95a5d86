package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.Corpus;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.eval.Evaluator;
import org.sae4j.eval.report.AblationEffect;
import org.sae4j.eval.report.ActivityHarvest;
import org.sae4j.eval.report.DecoderNeighbours;
import org.sae4j.eval.report.DirectLogitEffects;
import org.sae4j.eval.report.EvalData;
import org.sae4j.eval.report.FeatureActivity;
import org.sae4j.eval.report.LogitEffect;
import org.sae4j.eval.report.ReportData;
import org.sae4j.eval.report.ReportJson;
import org.sae4j.eval.report.ReportWriter;
import org.sae4j.eval.report.RunFolder;
import org.sae4j.eval.report.RunInfo;
import org.sae4j.formats.BadInputException;

/**
 * {@code sae4j report}: the feature browser, a folder that opens offline from the file system. Built from the SAE's
 * folder alone (density, decoder neighbours, run summary), plus a pass of the model over text (examples, histograms,
 * logit effects) and the per-feature output of {@code sae4j eval} (ablation effects) when given.
 */
final class ReportCommand implements Command {
    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "write a feature browser (HTML that opens offline) for a saved SAE";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("sae").hasArg().argName("DIR").required()
                .desc("SAE folder (SAELens or sparsify); run.json, metrics.jsonl and eval.json beside it are shown")
                .build());
        o.addOption(SaeOptions.hookpoint());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").required()
                .desc("report folder to create (must not exist, or be empty)").build());
        o.addOption(Option.builder().longOpt("eval-data").hasArg().argName("FILE")
                .desc("eval.json of sae4j eval --model, with its features/ folder: examples, logit and ablation"
                        + " effects, which win over what --text gives [the SAE folder's eval.json when it has"
                        + " features/]").build());
        o.addOption(Option.builder().longOpt("model").hasArg().argName("FILE")
                .desc("llama2.c checkpoint the SAE reads (logit effects; with --text, examples)").build());
        o.addOption(Option.builder().longOpt("tokenizer").hasArg().argName("FILE")
                .desc("its llama2.c tokenizer (needed with --model)").build());
        o.addOption(Option.builder().longOpt("text").hasArg().argName("FILE")
                .desc("text to run the model over for examples and histograms (needs --model)").build());
        o.addOption(Option.builder().longOpt("hook").hasArg().argName("NAME")
                .desc("hook point the SAE reads, e.g. blocks.2.hook_resid_post [cfg.json's metadata.hook_name]")
                .build());
        o.addOption(Option.builder().longOpt("tokens").hasArg().argName("N")
                .desc("tokens of --text to read [65536]").build());
        o.addOption(Option.builder().longOpt("context").hasArg().argName("N")
                .desc("tokens per document window, longer documents truncated [256]").build());
        o.addOption(Option.builder().longOpt("examples").hasArg().argName("N")
                .desc("top-activating examples per feature [20]").build());
        o.addOption(Option.builder().longOpt("neighbours").hasArg().argName("N")
                .desc("nearest features by decoder cosine [10]").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        long started = System.nanoTime();
        Path target = Path.of(line.getOptionValue("out"));
        ConvertCommand.requireFree(target);
        Path model = existing(line, "model");
        Path tokenizer = existing(line, "tokenizer");
        Path text = existing(line, "text");
        Path evalData = existing(line, "eval-data");
        if ((model == null) != (tokenizer == null)) {
            throw new BadInputException("--model and --tokenizer go together (the tokenizer shows the model's tokens)");
        }
        if (text != null && model == null) {
            throw new BadInputException("--text needs --model and --tokenizer: examples come from running the model");
        }
        long tokens = EvalCommand.positive(line, "tokens", 65_536);
        int context = (int) Math.min(EvalCommand.positive(line, "context", 256), 1 << 16);
        int examples = (int) Math.min(EvalCommand.positive(line, "examples", 20), 1000);
        int neighbours = (int) Math.min(EvalCommand.positive(line, "neighbours", 10), 100);

        LoadedSae loaded = SaeOptions.load(Path.of(line.getOptionValue("sae")), line);
        Sae sae = loaded.sae();
        int dSae = sae.config().dSae();
        // Everything that can be wrong with the input is found before the long work starts.
        RunInfo run = RunFolder.read(loaded);
        if (evalData == null && EvalData.hasFeatures(run.eval())) {
            evalData = loaded.dir().resolve(RunFolder.EVAL);
        }
        EvalData e = evalData == null ? null : EvalData.read(evalData, dSae);
        HookPoint hook = text == null ? null : hook(line, sae);
        Map<String, String> sources = new LinkedHashMap<>();
        DecoderNeighbours near = DecoderNeighbours.of(sae, neighbours);
        sources.put("neighbours", "cosine similarity of decoder rows, " + near.n() + " per feature");
        double[] density = trainingDensity(loaded.logSparsity());
        if (density != null) {
            sources.put("density", SaeLensFormat.SPARSITY + " (firing frequency over the end of training)");
        }
        FeatureActivity[] activity = null;
        LogitEffect[] logits = null;
        AblationEffect[] ablation = null;

        if (model != null) {
            LlamaModel llama = LlamaModel.load(model);
            Tokenizer tok = Tokenizer.load(tokenizer, llama.config().vocabSize());
            logits = DirectLogitEffects.of(sae, llama.weights(), tok, 10);
            sources.put("logits", "direct path W_U · (final-norm gain ⊙ W_dec[i]) of " + model.getFileName());
            if (text != null && (e == null || e.activity() == null)) {
                ActivityHarvest.Settings settings = new ActivityHarvest.Settings(context, tokens, 16, examples, 5, 5,
                        24, 8, 32, 0);
                ActivityHarvest.Result h = ActivityHarvest.run(llama, tok, hook, sae, Corpus.read(text), settings,
                        progress(tokens, err));
                activity = h.features();
                out.printf(Locale.ROOT, "read %,d tokens of %s in %.1f s%n", h.tokens(), text.getFileName(),
                        (System.nanoTime() - started) / 1e9);
                density = h.density();
                String what = String.format(Locale.ROOT, "%s at %s over %,d tokens (%,d documents) of %s",
                        model.getFileName(), hook.name(), h.tokens(), h.windows(), text.getFileName());
                sources.put("density", what);
                sources.put("activity", what);
            }
        }
        if (text != null && e != null && e.activity() != null) {
            out.println("note: --text was not read: " + evalData + " has examples for the features already");
        }
        if (e != null) {
            String from = evalData + " (" + e.features() + " feature files)";
            density = overlay(density, e.density(), sources, "density", from);
            activity = overlay(activity, e.activity(), sources, "activity", from);
            logits = overlay(logits, e.logits(), sources, "logits", from);
            ablation = overlay(ablation, e.ablation(), sources, "ablation", from);
            run = withEvalSections(run, e.sections());
        }
        ReportData data = new ReportData(run, sae.decoderRowNorms(), near, density, activity, logits, ablation,
                sources);
        ReportWriter.write(data, target);

        out.printf(Locale.ROOT, "sae4j report: %d features of %s in %.1f s; open %s%n", dSae, loaded.dir(),
                (System.nanoTime() - started) / 1e9, target.resolve("index.html"));
        sources.forEach((k, v) -> out.println("  " + k + ": " + v));
        for (String m : ReportJson.missing(data)) {
            out.println("  missing: " + m);
        }
        SaeOptions.printNotes(run.notes(), out);
        return Main.OK;
    }

    /** Firing frequency from sparsity.safetensors; SAELens stores log10(freq + 1e-10), so that floor is 0. */
    private static double[] trainingDensity(float[] logSparsity) {
        if (logSparsity == null) {
            return null;
        }
        double[] freq = new double[logSparsity.length];
        double floor = Math.log10(SaeLensFormat.SPARSITY_EPS) + 1e-3;
        for (int j = 0; j < freq.length; j++) {
            freq[j] = logSparsity[j] <= floor ? 0 : Math.pow(10, logSparsity[j]);
        }
        return freq;
    }

    /** Eval data's entries replace what is there, feature by feature; features it lacks keep theirs. */
    private static <T> T[] overlay(T[] base, T[] over, Map<String, String> sources, String part, String from) {
        if (over == null) {
            return base;
        }
        T[] out = base == null ? over.clone() : base.clone();
        for (int j = 0; j < over.length; j++) {
            if (over[j] != null) {
                out[j] = over[j];
            }
        }
        sources.merge(part, from, (a, b) -> b + "; elsewhere " + a);
        return out;
    }

    private static double[] overlay(double[] base, double[] over, Map<String, String> sources, String part,
                                    String from) {
        if (over == null) {
            return base;
        }
        double[] out = base == null ? over.clone() : base.clone();
        for (int j = 0; j < over.length; j++) {
            if (!Double.isNaN(over[j])) {
                out[j] = over[j];
            }
        }
        sources.merge(part, from, (a, b) -> b + "; elsewhere " + a);
        return out;
    }

    private static RunInfo withEvalSections(RunInfo run, ObjectNode sections) {
        if (sections.isEmpty()) {
            return run;
        }
        ObjectNode eval = run.eval() != null && run.eval().isObject() ? ((ObjectNode) run.eval()).deepCopy()
                : sections.objectNode();
        eval.setAll(sections);
        eval.remove("features"); // a pointer to the per-feature files, which the report shows feature by feature
        return new RunInfo(run.title(), run.cfg(), run.settings(), run.curves(), eval, run.notes());
    }

    private static HookPoint hook(CommandLine line, Sae sae) {
        if (line.hasOption("hook")) {
            return HookPoint.parse(line.getOptionValue("hook"));
        }
        Object name = sae.config().metadata().get("hook_name");
        if (name == null) {
            throw new BadInputException("the SAE's cfg.json names no metadata.hook_name; give --hook, e.g."
                    + " --hook blocks.2.hook_resid_post");
        }
        return HookPoint.parse(name.toString());
    }

    private static Evaluator.Progress progress(long total, PrintStream err) {
        long[] next = {total / 4};
        return done -> {
            if (done >= next[0] && done < total) {
                err.printf(Locale.ROOT, "reading text: %,d of %,d tokens%n", done, total);
                next[0] += total / 4;
            }
        };
    }

    private static Path existing(CommandLine line, String flag) {
        if (!line.hasOption(flag)) {
            return null;
        }
        Path p = Path.of(line.getOptionValue(flag));
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("--" + flag + ": " + p + (Files.exists(p) ? " is not a file" : ": no such file"));
        }
        return p;
    }
}
