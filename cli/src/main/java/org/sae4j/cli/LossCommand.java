package org.sae4j.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.LossEvaluator;
import org.sae4j.activations.model.LossResult;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.formats.BadInputException;

/**
 * {@code sae4j loss}: the model's mean teacher-forced next-token loss on a text, by the protocol of the shared data
 * README: each document from BOS, truncated to 512 tokens (or --max-tokens), the mean over all predicted tokens.
 */
final class LossCommand implements Command {
    @Override
    public String name() {
        return "loss";
    }

    @Override
    public String summary() {
        return "mean teacher-forced next-token loss (nats/token) of a llama2.c model on a text";
    }

    @Override
    public Options options() {
        Options o = new Options();
        ModelFiles.addModelOptions(o);
        ModelFiles.addTextOptions(o);
        o.addOption(Option.builder().longOpt("max-tokens").hasArg().argName("N")
                .desc("each document is truncated to this many tokens, BOS included [512, at most seq_len]").build());
        o.addOption(Option.builder().longOpt("documents").hasArg().argName("N")
                .desc("evaluate only the first N documents [all]").build());
        o.addOption(Option.builder().longOpt("batch-size").hasArg().argName("N")
                .desc("documents per forward pass [16]").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        int batch = Flags.positiveInt(line, "batch-size", 16);
        long limit = Flags.positiveLong(line, "documents", Long.MAX_VALUE);
        LlamaModel model = ModelFiles.model(line);
        int maxTokens = Flags.positiveInt(line, "max-tokens", Math.min(512, model.config().seqLen()));
        if (maxTokens < 2 || maxTokens > model.config().seqLen()) {
            throw new BadInputException("--max-tokens: " + maxTokens + " is outside [2, " + model.config().seqLen()
                    + "] (the model's seq_len)");
        }
        Tokenizer tokenizer = ModelFiles.tokenizer(line, model);
        List<String> docs = ModelFiles.documents(line);
        if (docs.size() > limit) {
            docs = docs.subList(0, (int) limit);
        }
        long t0 = System.nanoTime();
        LossResult r = new LossEvaluator(model, tokenizer).evaluate(docs, maxTokens, batch);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.tokens() == 0) {
            throw new BadInputException("--text: no document has two tokens to predict one from");
        }
        out.printf(Locale.ROOT, "%.4f nats/token over %,d predicted tokens of %,d documents (each from BOS, at most"
                + " %d tokens)%n", r.meanNats(), r.tokens(), r.documents(), maxTokens);
        err.printf(Locale.ROOT, "%.1f s, %,.0f tokens/s%n", seconds, (r.tokens() + r.documents()) / seconds);
        return Main.OK;
    }
}
