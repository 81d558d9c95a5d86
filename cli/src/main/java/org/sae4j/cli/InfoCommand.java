package org.sae4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.LoadedSae;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.eval.FrequencyHistogram;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;
import org.sae4j.formats.TensorInfo;

/** {@code sae4j info DIR}: what a saved SAE (SAELens or sparsify folder) is, from its files alone. */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "show a saved SAE: config, tensor shapes, decoder norms, firing frequencies";
    }

    @Override
    public String positional() {
        return "DIR";
    }

    @Override
    public Options options() {
        return new Options().addOption(SaeOptions.hookpoint());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().size() != 1) {
            throw new BadInputException("expected one SAE folder, got " + line.getArgList().size()
                    + " arguments (usage: sae4j info DIR)");
        }
        LoadedSae loaded = SaeOptions.load(Path.of(line.getArgList().get(0)), line);
        Sae sae = loaded.sae();
        SaeConfig c = sae.config();
        out.println("SAE " + loaded.dir() + " (" + loaded.format().cliName() + " folder, "
                + loaded.weightsDType().torchName() + " weights)");
        out.printf(Locale.ROOT, "  architecture          %s%s%n", c.architecture().saelensName(),
                c.architecture() instanceof Architecture.TopK t ? " (k = " + t.k() + ")" : "");
        out.printf(Locale.ROOT, "  d_in × d_sae          %d × %d (%,d parameters)%n", c.dIn(), c.dSae(),
                c.parameterCount());
        out.printf(Locale.ROOT, "  apply_b_dec_to_input  %s%n", c.applyBDecToInput());
        out.printf(Locale.ROOT, "  normalize_activations %s%n", c.normalizeActivations());
        StringBuilder tensors = new StringBuilder();
        for (TensorInfo t : loaded.stored()) {
            tensors.append(tensors.length() == 0 ? "" : ", ").append(t.name()).append(' ').append(t.dtype())
                    .append(Arrays.toString(t.shape()));
        }
        out.printf(Locale.ROOT, "  tensors (as stored)   %s%n", tensors);
        float[] norms = sae.decoderRowNorms();
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        for (float n : norms) {
            min = Math.min(min, n);
            max = Math.max(max, n);
            sum += n;
        }
        out.printf(Locale.ROOT, "  decoder row norms     min %.4f  mean %.4f  max %.4f%n", min, sum / norms.length,
                max);
        if (sae.params().threshold() != null) {
            float[] theta = sae.tensors().get("threshold");
            double tMin = Double.MAX_VALUE;
            double tMax = -Double.MAX_VALUE;
            double tSum = 0;
            for (float t : theta) {
                tMin = Math.min(tMin, t);
                tMax = Math.max(tMax, t);
                tSum += t;
            }
            out.printf(Locale.ROOT, "  threshold             min %.4f  mean %.4f  max %.4f%n", tMin, tSum / theta.length,
                    tMax);
        }
        float[] logFreq = loaded.logSparsity();
        if (logFreq != null) {
            double[] freq = SaeLensFormat.firingFrequency(logFreq);
            int dead = 0;
            for (double f : freq) {
                dead += f == 0 ? 1 : 0;
            }
            out.printf(Locale.ROOT, "  never fired           %d of %d latents (training window)%n", dead, c.dSae());
            out.println("  log10 firing freq     " + FrequencyHistogram.of(freq).sparkline());
        }
        if (!c.metadata().isEmpty()) {
            out.println("  metadata              " + Json.compactWriter().writeValueAsString(c.metadata()));
        }
        SaeOptions.printNotes(loaded.notes(), out);
        return Main.OK;
    }
}
