package org.sae4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sae4j.trainer.Metrics;
import org.sae4j.trainer.TrainingListener;

/**
 * Training progress: a live bar (tokens/s, loss, L0, explained variance, dead fraction) on a terminal, or, when
 * output goes to a file or CI log, one plain line per 5% of the run.
 */
final class ProgressDisplay implements TrainingListener, AutoCloseable {
    private final PrintStream err;
    private final boolean interactive;
    private ProgressBar bar;
    private long total;
    private long nextLine;

    ProgressDisplay(PrintStream err) {
        this.err = err;
        this.interactive = System.console() != null && err == System.err;
    }

    @Override
    public void started(long totalSteps, long firstStep, int batchSize) {
        total = totalSteps;
        nextLine = firstStep;
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).setStyle(
                    ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" steps", 1).setUpdateIntervalMillis(250)
                    .showSpeed().build();
            bar.stepTo(firstStep);
        } else if (firstStep > 0) {
            err.printf(Locale.ROOT, "resumed at step %d of %d%n", firstStep, totalSteps);
        }
    }

    @Override
    public void stepDone(long stepsDone, Metrics m) {
        String summary = m == null ? "" : String.format(Locale.ROOT,
                "%,.0f tok/s  loss %.4f  L0 %.1f  EV %.3f  dead %.1f%%", m.tokensPerSecond(), m.loss(), m.l0(),
                m.explainedVariance(), 100 * m.deadFraction());
        if (interactive) {
            bar.stepTo(stepsDone);
            bar.setExtraMessage(summary);
        } else if (stepsDone >= nextLine || stepsDone == total) {
            err.printf(Locale.ROOT, "step %d/%d (%3.0f%%)  %s%n", stepsDone, total, 100.0 * stepsDone / total,
                    summary);
            nextLine = stepsDone + Math.max(1, total / 20);
        }
    }

    @Override
    public void warning(String line) {
        err.println(interactive ? System.lineSeparator() + line : line); // a live bar redraws below it
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
