package org.sae4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a job counted in tokens (harvesting): a live bar with tokens/s on a terminal, or one plain line per
 * 10% when output goes to a file or CI log.
 */
final class TokenProgress implements AutoCloseable {
    private final PrintStream err;
    private final String task;
    private final long total;
    private final long started = System.nanoTime();
    private ProgressBar bar;
    private long nextLine;

    TokenProgress(PrintStream err, String task, long total) {
        this.err = err;
        this.task = task;
        this.total = total;
        if (System.console() != null && err == System.err) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" tok", 1).setUpdateIntervalMillis(250)
                    .showSpeed().build();
        }
        nextLine = total / 10;
    }

    void done(long tokens) {
        if (bar != null) {
            bar.stepTo(tokens);
        } else if (tokens >= nextLine || tokens == total) {
            double s = (System.nanoTime() - started) / 1e9;
            err.printf(Locale.ROOT, "%s %,d/%,d tokens (%3.0f%%)  %,.0f tok/s%n", task, tokens, total,
                    100.0 * tokens / total, tokens / Math.max(s, 1e-9));
            nextLine = tokens + Math.max(1, total / 10);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
