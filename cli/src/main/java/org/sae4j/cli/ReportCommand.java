package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    /** The command line, checked: every input problem is found here or while reading, before the long work. */
    private record Inputs(Path target, Path model, Path tokenizer, Path text, Path evalData, long tokens, int context,
                          int examples, int neighbours) {
        static Inputs of(CommandLine line) throws IOException {
            Path target = Path.of(line.getOptionValue("out"));
            ConvertCommand.requireFree(target);
            Path model = existing(line, "model");
            Path tokenizer = existing(line, "tokenizer");
            Path text = existing(line, "text");
            if ((model == null) != (tokenizer == null)) {
                throw new BadInputException("--model and --tokenizer go together (the tokenizer shows the model's"
                        + " tokens)");
            }
            if (text != null && model == null) {
                throw new BadInputException("--text needs --model and --tokenizer: examples come from running the"
                        + " model");
            }
            return new Inputs(target, model, tokenizer, text, existing(line, "eval-data"),
                    EvalCommand.positive(line, "tokens", 65_536),
                    (int) Math.min(EvalCommand.positive(line, "context", 256), 1 << 16),
                    (int) Math.min(EvalCommand.positive(line, "examples", 20), 1000),
                    (int) Math.min(EvalCommand.positive(line, "neighbours", 10), 100));
        }
    }

    /** The report's parts as they are gathered, each replaced by a better source when one is given. */
    private static final class Parts {
        final Map<String, String> sources = new LinkedHashMap<>();
        double[] density;
        FeatureActivity[] activity;
        LogitEffect[] logits;
        AblationEffect[] ablation;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        long started = System.nanoTime();
        Inputs in = Inputs.of(line);
        LoadedSae loaded = SaeOptions.load(Path.of(line.getOptionValue("sae")), line);
        Sae sae = loaded.sae();
        RunInfo run = RunFolder.read(loaded);
        Path evalPath = in.evalData() != null ? in.evalData()
                : EvalData.hasFeatures(run.eval()) ? loaded.dir().resolve(RunFolder.EVAL) : null;
        EvalData evalData = evalPath == null ? null : EvalData.read(evalPath, sae.config().dSae());
        HookPoint hook = in.text() == null ? null : hook(line, sae);

        Parts parts = new Parts();
        DecoderNeighbours near = DecoderNeighbours.of(sae, in.neighbours());
        parts.sources.put("neighbours", "cosine similarity of decoder rows, " + near.n() + " per feature");
        if (loaded.logSparsity() != null) {
            parts.density = SaeLensFormat.firingFrequency(loaded.logSparsity());
            parts.sources.put("density", SaeLensFormat.SPARSITY + " (firing frequency over the end of training)");
        }
        if (in.model() != null) {
            boolean harvest = in.text() != null && (evalData == null || evalData.activity() == null);
            if (in.text() != null && !harvest) {
                out.println("note: --text was not read: " + evalPath + " has examples for the features already");
            }
            fromModel(in, sae, harvest ? hook : null, parts, out, err);
        }
        if (evalData != null) {
            fromEvalData(evalData, evalPath, parts);
            run = withEvalSections(run, evalData.sections());
        }
        ReportData data = new ReportData(run, sae.decoderRowNorms(), near, parts.density, parts.activity,
                parts.logits, parts.ablation, parts.sources);
        ReportWriter.write(data, in.target());

        out.printf(Locale.ROOT, "sae4j report: %d features of %s in %.1f s; open %s%n", sae.config().dSae(),
                loaded.dir(), (System.nanoTime() - started) / 1e9, in.target().resolve("index.html"));
        parts.sources.forEach((k, v) -> out.println("  " + k + ": " + v));
        for (String m : ReportJson.missing(data)) {
            out.println("  missing: " + m);
        }
        SaeOptions.printNotes(run.notes(), out);
        return Main.OK;
    }

    /** Logit effects from the model's unembedding; with a hook, the pass over the text for activity and density. */
    private static void fromModel(Inputs in, Sae sae, HookPoint hook, Parts parts, PrintStream out, PrintStream err)
            throws IOException {
        LlamaModel llama = LlamaModel.load(in.model());
        Tokenizer tok = Tokenizer.load(in.tokenizer(), llama.config().vocabSize());
        parts.logits = DirectLogitEffects.of(sae, llama.weights(), tok, 10);
        parts.sources.put("logits", "direct path W_U · (final-norm gain ⊙ W_dec[i]) of " + in.model().getFileName());
        if (hook == null) {
            return;
        }
        long t0 = System.nanoTime();
        // 16 documents per pass; 5 intervals of 5 examples; 24 tokens shown before a firing and 8 after; 32 bins.
        ActivityHarvest.Settings settings = new ActivityHarvest.Settings(in.context(), in.tokens(), 16, in.examples(),
                5, 5, 24, 8, 32, 0);
        ActivityHarvest.Result h = ActivityHarvest.run(llama, tok, hook, sae, Corpus.read(in.text()), settings,
                progress(in.tokens(), err));
        out.printf(Locale.ROOT, "read %,d tokens of %s in %.1f s%n", h.tokens(), in.text().getFileName(),
                (System.nanoTime() - t0) / 1e9);
        String what = String.format(Locale.ROOT, "%s at %s over %,d tokens (%,d documents) of %s",
                in.model().getFileName(), hook.name(), h.tokens(), h.windows(), in.text().getFileName());
        parts.activity = h.features();
        parts.density = h.density();
        parts.sources.put("activity", what);
        parts.sources.put("density", what);
    }

    /** The output of sae4j eval --model, feature by feature over what is there. */
    private static void fromEvalData(EvalData e, Path path, Parts parts) {
        String from = path + " (" + e.features() + " feature files)";
        parts.density = overlay(parts.density, e.density(), parts.sources, "density", from);
        parts.activity = overlay(parts.activity, e.activity(), parts.sources, "activity", from);
        parts.logits = overlay(parts.logits, e.logits(), parts.sources, "logits", from);
        parts.ablation = overlay(parts.ablation, e.ablation(), parts.sources, "ablation", from);
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
