package org.sae4j.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One {@code sae4j <command>}. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Positional arguments for the usage line, e.g. "DIR"; empty for none. */
    default String positional() {
        return "";
    }

    Options options();

    /** Runs with parsed arguments; returns the exit code. Bad input is thrown as BadInputException. */
    int run(CommandLine line, PrintStream out, PrintStream err) throws Exception;
}
