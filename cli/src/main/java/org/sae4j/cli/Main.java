package org.sae4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.formats.BadInputException;
import org.sae4j.trainer.TrainingDivergedException;
import org.sae4j.trainer.TrainingStoppedException;

/**
 * {@code sae4j <command> [options]}. Exit codes: 0 success; 2 bad input, a file that cannot be read or written (a
 * full disk) included; 3 training diverged (NaN/Inf loss, gradient or weights; the last good checkpoint is kept);
 * 1 internal error. Every failure is one line on stderr, with the stack trace only under {@code --verbose}.
 */
public final class Main {
    // First of all, before any command class can reach ND4J: which natives javacpp loads is fixed when ND4J's
    // native classes load, and in-process callers of run() (the tests) come through here too.
    static {
        Nd4jNatives.select();
    }

    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int BAD_INPUT = 2;
    public static final int DIVERGED = 3;
    /**
     * Training stopped on SIGINT or SIGTERM, its last step checkpointed: what {@link #run} returns (128 + SIGINT). The
     * process itself exits with the signal's own status, 130 or 143.
     */
    public static final int STOPPED = 130;

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : new Command[] {new TrainCommand(), new EvalCommand(), new InfoCommand(),
                new ConvertCommand(), new GenerateCommand(), new LossCommand(), new HarvestCommand(),
                new SteerCommand(), new ReportCommand()}) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code == STOPPED) {
            // A signal is shutting the JVM down; it exits with that signal's status (130 SIGINT, 143 SIGTERM) once
            // the hook that stopped training returns. System.exit here would race it and could report 130 for both.
            return;
        }
        System.exit(code);
    }

    /** Runs one command in-process (the tests call this) and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printCommands(args.length == 0 ? err : out);
            return args.length == 0 ? BAD_INPUT : OK;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("sae4j: unknown command '" + args[0] + "'; commands: " + String.join(", ", COMMANDS.keySet()));
            return BAD_INPUT;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        boolean verbose = Arrays.asList(rest).contains("--verbose");
        Options options = withCommonOptions(command.options());
        if (Arrays.asList(rest).contains("--help")) {
            // Before parsing: a command's required options must not stand between the user and its help.
            printHelp(command, options, out);
            return OK;
        }
        try {
            CommandLine line = new DefaultParser().parse(options, rest);
            return command.run(line, out, err);
        } catch (ParseException e) {
            err.println("sae4j " + command.name() + ": " + e.getMessage() + " (see sae4j " + command.name()
                    + " --help)");
            return BAD_INPUT;
        } catch (BadInputException e) {
            err.println("sae4j " + command.name() + ": " + oneLine(e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return BAD_INPUT;
        } catch (TrainingDivergedException e) {
            err.println("sae4j " + command.name() + ": " + oneLine(e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return DIVERGED;
        } catch (TrainingStoppedException e) {
            return STOPPED; // the trainer has said where it stopped, through its listener, before the JVM can exit
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            err.println("sae4j " + command.name() + ": I/O error: " + oneLine(describe(io)));
            if (verbose) {
                e.printStackTrace(err);
            }
            return BAD_INPUT;
        } catch (Exception | Error e) {
            err.println("sae4j " + command.name() + ": internal error: " + e.getClass().getSimpleName() + ": "
                    + oneLine(String.valueOf(e.getMessage()))
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return INTERNAL_ERROR;
        }
    }

    /** An I/O failure in words: the file and what went wrong with it. */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists" + (f.getReason() == null ? "" : " and " + f.getReason());
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return f.getFile() + ": " + e.getClass().getSimpleName();
        }
        return String.valueOf(e.getMessage());
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static Options withCommonOptions(Options options) {
        options.addOption(Option.builder().longOpt("help").desc("show this help").build());
        options.addOption(Option.builder().longOpt("verbose").desc("print stack traces of errors").build());
        return options;
    }

    private static void printCommands(PrintStream out) {
        out.println("usage: sae4j <command> [options]    (sae4j <command> --help for its options)");
        out.println();
        for (Command c : COMMANDS.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }

    private static void printHelp(Command command, Options options, PrintStream out) {
        HelpFormatter help = new HelpFormatter();
        help.setWidth(110);
        help.setOptionComparator(null);
        PrintWriter w = new PrintWriter(out);
        String usage = "sae4j " + command.name() + " [options]"
                + (command.positional().isEmpty() ? "" : " " + command.positional());
        help.printHelp(w, 110, usage, command.summary(), options, 2, 2, "");
        w.flush();
    }
}
