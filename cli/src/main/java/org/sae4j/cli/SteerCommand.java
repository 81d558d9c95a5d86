package org.sae4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.eval.model.Steering;
import org.sae4j.formats.BadInputException;

/**
 * {@code sae4j steer}: text generated with {@code coefficient · W_dec[feature]} added at the SAE's hook point on
 * every position (BOS excepted), printed under the unsteered continuation from the same prompt and seed.
 */
final class SteerCommand implements Command {
    @Override
    public String name() {
        return "steer";
    }

    @Override
    public String summary() {
        return "generate with a feature's decoder direction added at the hook point, beside the plain continuation";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("sae").hasArg().argName("DIR").required()
                .desc("SAE folder: SAELens or sparsify").build());
        o.addOption(SaeOptions.hookpoint());
        ModelOptions.addTo(o, true);
        o.addOption(Option.builder().longOpt("feature").hasArg().argName("I").required()
                .desc("the feature whose decoder row W_dec[I] is added").build());
        o.addOption(Option.builder().longOpt("coefficient").hasArg().argName("C")
                .desc("its multiple; the residual stream's scale decides what is strong [8]").build());
        o.addOption(Option.builder().longOpt("prompt").hasArg().argName("TEXT").required()
                .desc("the text to continue").build());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N")
                .desc("positions to generate, prompt included, as llama2.c counts [64]").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("sampling seed, shared by both [0]")
                .build());
        o.addOption(Option.builder().longOpt("temperature").hasArg().argName("T").desc("0 is greedy [1.0]").build());
        o.addOption(Option.builder().longOpt("top-p").hasArg().argName("P").desc("nucleus sampling [0.9]").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        LoadedSae loaded = SaeOptions.load(Path.of(line.getOptionValue("sae")), line);
        ModelOptions.Loaded m = ModelOptions.load(line, loaded.sae());
        int feature = (int) Math.min(ModelOptions.nonNegative(line, "feature"), Integer.MAX_VALUE);
        float coefficient = ModelOptions.decimal(line, "coefficient", 8f);
        int steps = (int) Math.min(EvalCommand.positive(line, "steps", 64), Integer.MAX_VALUE);
        long seed = ModelOptions.nonNegative(line, "seed", 0);
        float temperature = ModelOptions.decimal(line, "temperature", 1.0f);
        float topP = ModelOptions.decimal(line, "top-p", 0.9f);
        if (temperature < 0) {
            throw new BadInputException("--temperature must be >= 0, got " + temperature);
        }
        if (topP < 0 || topP > 1) {
            throw new BadInputException("--top-p must be in [0, 1], got " + topP);
        }
        String prompt = line.getOptionValue("prompt");
        Steering.Comparison c = Steering.compare(m.model(), m.tokenizer(), loaded.sae(), m.hook(), feature,
                coefficient, prompt, steps, temperature, topP, seed);
        out.printf(Locale.ROOT, "sae4j steer: feature %d × %s at %s of %s (%d steps, temperature %s, top-p %s,"
                + " seed %d)%n", feature, coefficient, m.hook(), m.modelPath(), steps, temperature, topP, seed);
        out.println();
        out.println("unsteered:");
        out.println(c.unsteered().text());
        out.println();
        out.printf(Locale.ROOT, "steered (+%s · W_dec[%d]):%n", coefficient, feature);
        out.println(c.steered().text());
        return Main.OK;
    }
}
