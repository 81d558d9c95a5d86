package org.sae4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sae4j.eval.model.ModelEvaluator;

/**
 * Progress of {@code sae4j eval --model}: one bar per pass over the text (tokens, tokens/s) on a terminal, or one
 * plain line per 10% of a pass when output goes to a file or CI log.
 */
final class EvalProgress implements ModelEvaluator.Progress, AutoCloseable {
    private static final String[] DESCRIPTIONS = {"splice", "pass 1/2: spliced losses, reconstruction",
        "features", "pass 2/2: histograms, examples, ablations"};
    private final PrintStream err;
    private final boolean interactive;
    private ProgressBar bar;
    private String phase;
    private long nextLine;
    private long started = System.nanoTime(); // start of the current pass
    private long lastUpdate = started;

    EvalProgress(PrintStream err) {
        this.err = err;
        this.interactive = System.console() != null && err == System.err;
    }

    @Override
    public void update(String newPhase, long done, long total) {
        if (!newPhase.equals(phase)) {
            close();
            phase = newPhase;
            nextLine = 0;
            started = lastUpdate; // the first report of a pass comes after its first batch
            if (interactive) {
                bar = new ProgressBarBuilder().setTaskName(newPhase).setInitialMax(total)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" tok", 1)
                        .setUpdateIntervalMillis(250).showSpeed().build();
            }
        }
        lastUpdate = System.nanoTime();
        if (interactive) {
            bar.stepTo(done);
        } else if (done >= nextLine || done == total) {
            double seconds = (lastUpdate - started) / 1e9;
            err.printf(Locale.ROOT, "%s: %,d/%,d tokens (%3.0f%%)  %,.0f tok/s%n", describe(newPhase), done, total,
                    100.0 * done / total, done / Math.max(seconds, 1e-9));
            nextLine = done + Math.max(1, total / 10);
        }
    }

    private static String describe(String phase) {
        for (int i = 0; i < DESCRIPTIONS.length; i += 2) {
            if (DESCRIPTIONS[i].equals(phase)) {
                return DESCRIPTIONS[i + 1];
            }
        }
        return phase;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
