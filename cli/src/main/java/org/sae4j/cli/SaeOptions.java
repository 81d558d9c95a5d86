package org.sae4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.dictionary.SaeFormat;

/** The options every command that reads a saved SAE shares: a folder of either format, and a hookpoint in it. */
final class SaeOptions {
    private SaeOptions() {
    }

    static Option hookpoint() {
        return Option.builder().longOpt("hookpoint").hasArg().argName("NAME")
                .desc("the SAE in subfolder NAME of a folder holding one per hookpoint (a sparsify run, say)").build();
    }

    /** Reads the SAE folder {@code path} (SAELens or sparsify, by the files present) at {@code --hookpoint}. */
    static LoadedSae load(Path path, CommandLine line) throws IOException {
        return SaeFormat.load(path, line.getOptionValue("hookpoint"));
    }

    /** One line per note of how the folder was read, so nothing done to the weights goes unsaid. */
    static void printNotes(Iterable<String> notes, PrintStream out) {
        for (String note : notes) {
            out.println("  note: " + note);
        }
    }
}
