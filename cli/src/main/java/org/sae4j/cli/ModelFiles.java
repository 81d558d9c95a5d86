package org.sae4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.model.Corpus;
import org.sae4j.activations.model.CorpusFormat;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.formats.BadInputException;

/** The model, tokenizer and corpus flags that generate, loss and harvest share, and loading what they name. */
final class ModelFiles {
    private ModelFiles() {
    }

    static void addModelOptions(Options o) {
        o.addOption(Option.builder().longOpt("model").hasArg().argName("FILE").required()
                .desc("llama2.c checkpoint (e.g. stories260K.bin)").build());
        o.addOption(Option.builder().longOpt("tokenizer").hasArg().argName("FILE").required()
                .desc("llama2.c tokenizer of the model (e.g. tok512.bin)").build());
    }

    static void addTextOptions(Options o) {
        o.addOption(Option.builder().longOpt("text").hasArg().argName("FILE").required()
                .desc("corpus: plain text or JSONL (field \"text\")").build());
        o.addOption(Option.builder().longOpt("text-format").hasArg().argName("FORMAT")
                .desc("how the corpus splits into documents: auto, endoftext (<|endoftext|> lines), blank-lines,"
                        + " jsonl [auto]").build());
    }

    /** The file a flag names: bad input unless it is a readable regular file. */
    static Path file(CommandLine line, String flag) {
        Path p = Path.of(line.getOptionValue(flag));
        if (!Files.exists(p)) {
            throw new BadInputException("--" + flag + ": no such file: " + p);
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new BadInputException("--" + flag + ": " + p + " is not a readable file");
        }
        return p;
    }

    static LlamaModel model(CommandLine line) throws IOException {
        return LlamaModel.load(file(line, "model"));
    }

    static Tokenizer tokenizer(CommandLine line, LlamaModel model) throws IOException {
        return Tokenizer.load(file(line, "tokenizer"), model.config().vocabSize());
    }

    static CorpusFormat textFormat(CommandLine line) {
        return CorpusFormat.parse(line.getOptionValue("text-format", "auto"));
    }

    static List<String> documents(CommandLine line) throws IOException {
        Path text = file(line, "text");
        List<String> docs = Corpus.read(text, textFormat(line), "text");
        if (docs.isEmpty()) {
            throw new BadInputException("--text: " + text + " holds no documents");
        }
        return docs;
    }
}
