package org.sae4j.cli;

import org.apache.commons.cli.CommandLine;
import org.sae4j.formats.BadInputException;

/** Typed reads of a parsed command line; a malformed or out-of-range value is bad input naming the flag. */
final class Flags {
    private Flags() {
    }

    static long positiveLong(CommandLine line, String flag, long fallback) {
        long v = longValue(line, flag, fallback);
        if (v < 1) {
            throw new BadInputException("--" + flag + ": expected a positive whole number, got '"
                    + line.getOptionValue(flag) + "'");
        }
        return v;
    }

    static int positiveInt(CommandLine line, String flag, int fallback) {
        long v = positiveLong(line, flag, fallback);
        if (v > Integer.MAX_VALUE) {
            throw new BadInputException("--" + flag + ": " + v + " is too large");
        }
        return (int) v;
    }

    static int nonNegativeInt(CommandLine line, String flag, int fallback) {
        long v = longValue(line, flag, fallback);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new BadInputException("--" + flag + ": expected a whole number >= 0, got '"
                    + line.getOptionValue(flag) + "'");
        }
        return (int) v;
    }

    /** A finite number in [min, max]. */
    static double number(CommandLine line, String flag, double fallback, double min, double max) {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String s = line.getOptionValue(flag);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + flag + ": expected a number, got '" + s + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new BadInputException("--" + flag + ": " + s + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    private static long longValue(CommandLine line, String flag, long fallback) {
        if (!line.hasOption(flag)) {
            return fallback;
        }
        String s = line.getOptionValue(flag);
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + flag + ": expected a whole number, got '" + s + "'");
        }
    }
}
