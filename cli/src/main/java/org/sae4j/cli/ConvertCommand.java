package org.sae4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeFormat;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;

/**
 * {@code sae4j convert --to FORMAT IN OUT}: rewrites an SAE folder as SAELens or sparsify, optionally in another
 * weight dtype. OUT appears complete or not at all (built beside it, then renamed).
 */
final class ConvertCommand implements Command {
    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "convert an SAE folder between SAELens and EleutherAI sparsify layouts, or change its dtype";
    }

    @Override
    public String positional() {
        return "IN OUT";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("to").hasArg().argName("FORMAT")
                .desc("layout to write: saelens or sparsify (default: IN's own, to change only the dtype)").build());
        o.addOption(Option.builder().longOpt("from").hasArg().argName("FORMAT")
                .desc("layout of IN, checked against its files (default: detected from them)").build());
        o.addOption(Option.builder().longOpt("dtype").hasArg().argName("TYPE")
                .desc("weights written: float32, float16 or bfloat16 (default: as IN stores them)").build());
        o.addOption(SaeOptions.hookpoint());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        List<String> args = line.getArgList();
        if (args.size() != 2) {
            throw new BadInputException("expected an input and an output folder, got " + args.size()
                    + " arguments (usage: sae4j convert [--to FORMAT] [--dtype TYPE] IN OUT)");
        }
        Path in = Path.of(args.get(0));
        Path target = Path.of(args.get(1));
        SaeFormat asked = line.hasOption("to") ? SaeFormat.named(line.getOptionValue("to")) : null;
        SaeFormat from = line.hasOption("from") ? SaeFormat.named(line.getOptionValue("from")) : null;
        DType dtype = line.hasOption("dtype") ? DType.weightType(line.getOptionValue("dtype")) : null;
        if (asked == null && dtype == null) {
            throw new BadInputException("nothing to change: give --to FORMAT, --dtype TYPE or both");
        }
        requireFree(target);

        Path dir = SaeFormat.locate(in, line.getOptionValue("hookpoint"));
        SaeFormat detected = SaeFormat.detect(dir);
        if (from != null && from != detected) {
            throw new BadInputException(dir + " holds a " + detected.cliName() + " folder (" + detected.weightsFile()
                    + "), not " + from.cliName());
        }
        SaeFormat to = asked != null ? asked : detected; // without --to only the dtype changes
        LoadedSae loaded = detected.read(dir);
        DType written = dtype != null ? dtype : loaded.weightsDType() == DType.F64 ? DType.F32
                : loaded.weightsDType();
        List<String> notes = new ArrayList<>(loaded.notes());
        AtomicFiles.writeDirectory(target,
                tmp -> notes.addAll(to.write(loaded.sae(), loaded.logSparsity(), written, tmp)));
        if (!holdsExactly(written, loaded.weightsDType())) {
            notes.add("weights rounded from " + loaded.weightsDType().torchName() + " to " + written.torchName());
        }
        SaeConfig c = loaded.sae().config();
        out.printf("converted %s (%s, %s) to %s (%s, %s): %s, d_in %d, d_sae %d%n", dir, detected.cliName(),
                loaded.weightsDType().torchName(), target, to.cliName(), written.torchName(),
                c.architecture() instanceof Architecture.TopK t ? "topk k=" + t.k() : c.architecture().saelensName(),
                c.dIn(), c.dSae());
        SaeOptions.printNotes(notes, out);
        return Main.OK;
    }

    /** OUT must not exist, or be an empty folder: conversion never writes into or over someone's files. */
    static void requireFree(Path target) throws java.io.IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isEmpty()) {
                    return;
                }
            }
        }
        throw new BadInputException(target + " already exists; give a new folder for the output");
    }

    /** True when every value of {@code stored} is exact in {@code written}. */
    private static boolean holdsExactly(DType written, DType stored) {
        return written == stored || written == DType.F32 && (stored == DType.F16 || stored == DType.BF16);
    }
}
