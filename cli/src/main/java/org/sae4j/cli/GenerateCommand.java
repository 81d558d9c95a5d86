package org.sae4j.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.Generation;
import org.sae4j.activations.model.Generator;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Sampler;
import org.sae4j.activations.model.Tokenizer;

/** {@code sae4j generate}: continues a prompt with the model, greedy by default, as llama2.c's {@code run}. */
final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "continue a prompt with a llama2.c model (greedy, or seeded temperature / top-p sampling)";
    }

    @Override
    public Options options() {
        Options o = new Options();
        ModelFiles.addModelOptions(o);
        o.addOption(Option.builder().longOpt("prompt").hasArg().argName("TEXT").desc("text to continue [\"\"]")
                .build());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N")
                .desc("positions to run, prompt included, at most the model's seq_len [256]").build());
        o.addOption(Option.builder().longOpt("temperature").hasArg().argName("X")
                .desc("0 = greedy (argmax); else sample softmax(logits / X) [0]").build());
        o.addOption(Option.builder().longOpt("top-p").hasArg().argName("X")
                .desc("nucleus sampling mass when sampling; 0 or 1 = plain sampling [0.9]").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("N").desc("seed of the sampler [42]").build());
        o.addOption(Option.builder().longOpt("ids").desc("also print the token ids").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        int steps = Flags.positiveInt(line, "steps", 256);
        float temperature = (float) Flags.number(line, "temperature", 0, 0, 1e6);
        float topP = (float) Flags.number(line, "top-p", 0.9, 0, 1);
        long seed;
        try {
            seed = Long.parseLong(line.getOptionValue("seed", "42"));
        } catch (NumberFormatException e) {
            throw new org.sae4j.formats.BadInputException("--seed: expected a whole number, got '"
                    + line.getOptionValue("seed") + "'");
        }
        LlamaModel model = ModelFiles.model(line);
        Tokenizer tokenizer = ModelFiles.tokenizer(line, model);
        long t0 = System.nanoTime();
        Generation g = new Generator(model, tokenizer).generate(line.getOptionValue("prompt", ""), steps,
                new Sampler(temperature, topP, seed));
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println(g.text());
        if (line.hasOption("ids")) {
            out.println(Arrays.toString(g.ids()));
        }
        err.printf(Locale.ROOT, "%d tokens in %.2f s (%s)%n", g.ids().length, seconds,
                temperature == 0 ? "greedy" : "temperature " + temperature + ", top-p " + topP + ", seed " + seed);
        return Main.OK;
    }
}
