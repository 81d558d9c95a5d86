package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.eval.report.ReportData;
import org.sae4j.eval.report.ReportWriter;

/**
 * Reports opened in real headless Chromium from the file system: every view draws what its data holds, with no
 * error of any kind and no request leaving the machine; the index of a 16,384-feature SAE loads and sorts quickly.
 * Screenshots go to target/report-screenshots/.
 */
class ReportBrowserTest {
    /** Generous bounds for a shared 2-core CI machine; the measured times are printed. */
    private static final double MAX_LOAD_MS = 8000;
    private static final double MAX_SORT_MS = 1500;

    static final Path SCREENSHOTS = Path.of("target", "report-screenshots");

    @TempDir
    Path tmp;

    @Test
    void everyViewDrawsItsDataWithoutErrors() throws Exception {
        int n = 1024;
        ReportData data = SyntheticReport.build(n, 8, 3, 20, 1);
        Path report = tmp.resolve("report");
        ReportWriter.write(data, report);
        try (Chromium browser = Chromium.launch(tmp.resolve("profile"), 1400, 1000)) {
            browser.navigate(report.resolve("index.html").toUri().toString());
            browser.waitFor("window.sae4jReport && sae4jReport.ready && sae4jReport.view === 'index'");
            assertEquals(n + " features", browser.eval("document.getElementById('count').textContent").asText());
            assertTrue(browser.eval("document.querySelectorAll('#rows .row').length").asInt() >= 20,
                    "the index draws the rows in view");
            assertEquals(17, browser.eval("document.querySelectorAll('svg.bars .bar').length").asInt(),
                    "density histogram: 16 bins and the never-fired bar");
            browser.screenshot(SCREENSHOTS.resolve("synthetic-index.png"), false);
            browser.eval("document.getElementById('hide-dead').click()");
            assertEquals(n - n / 32, browser.eval("sae4jReport.shown()").asInt(),
                    "hiding dead features removes exactly the dead ones");
            browser.eval("document.getElementById('hide-dead').click()");
            browser.eval("document.querySelector('svg.bars .bar').dispatchEvent(new MouseEvent('click'))");
            assertEquals(n / 32, browser.eval("sae4jReport.shown()").asInt(), "the 'dead' bar keeps only the dead");
            assertTrue(browser.eval("[...document.querySelectorAll('#rows .row')].every(r =>"
                    + " r.classList.contains('dead') && r.querySelector('.dead-badge'))").asBoolean(),
                    "dead features are marked");
            browser.eval("document.querySelector('button.link').click()");
            assertEquals(n, browser.eval("sae4jReport.shown()").asInt(), "clear filters");

            // Search over top tokens: the count drops to the features whose top tokens contain the text.
            browser.eval("(() => { const s = document.getElementById('search'); s.value = 'lily';"
                    + " s.dispatchEvent(new Event('input')); })()");
            int matched = browser.eval("sae4jReport.shown()").asInt();
            assertTrue(matched > 0 && matched < n, "search 'lily' keeps some features, not all: " + matched);

            int live = 5; // not dead: feature 5
            browser.eval("location.hash = '#feature/" + live + "'");
            browser.waitFor("sae4jReport.ready && sae4jReport.view === 'feature'");
            assertEquals(8 + 3 * 2, browser.eval("document.querySelectorAll('.example').length").asInt(),
                    "8 top examples and 3 quantile groups of 2");
            assertTrue(browser.eval("document.querySelectorAll('.tok.on').length").asInt() >= 14,
                    "tokens shaded by activation");
            assertTrue(browser.eval("[...document.querySelectorAll('.tok.on')].every(t => t.title.includes('→')"
                    + " && t.style.backgroundColor)").asBoolean(), "each shaded token shows its value on hover");
            assertTrue(browser.eval("document.querySelector('.tok.chosen').title.includes('loss change')")
                    .asBoolean(), "and, for an ablated feature, the loss change there");
            assertTrue(browser.eval("document.body.textContent.includes('</script>')").asBoolean(),
                    "a token that looks like markup is shown as text");
            assertEquals(1, browser.eval("document.querySelectorAll('svg.chart').length").asInt(),
                    "the activation histogram");
            assertEquals(30, browser.eval("document.querySelectorAll('table.tokens tr').length").asInt(),
                    "10 promoted and 10 suppressed logit tokens, 5 + 5 ablation tokens");
            assertEquals(10, browser.eval("document.querySelectorAll('table.neighbours a').length").asInt());
            browser.screenshot(SCREENSHOTS.resolve("synthetic-feature.png"), false);

            // A neighbour link opens that feature.
            int target = browser.eval("Number(document.querySelector('table.neighbours a').textContent.slice(1))")
                    .asInt();
            browser.eval("document.querySelector('table.neighbours a').click()");
            browser.waitFor("sae4jReport.ready && location.hash === '#feature/" + target + "'"
                    + " && document.querySelector('h1').textContent.startsWith('Feature " + target + "')");

            browser.eval("location.hash = '#feature/31'");
            browser.waitFor("sae4jReport.ready && document.querySelector('h1').textContent.startsWith('Feature 31')");
            assertTrue(browser.eval("document.querySelector('.dead-badge') !== null"
                    + " && document.body.textContent.includes('It never fired')").asBoolean(), "a dead feature");

            browser.eval("location.hash = '#run'");
            browser.waitFor("sae4jReport.ready && sae4jReport.view === 'run'");
            assertTrue(browser.eval("document.querySelectorAll('svg.line path.series').length").asInt() >= 4,
                    "loss, L0, explained variance and dead fraction curves");
            assertTrue(browser.eval("document.body.textContent.includes('explained_variance')"
                    + " && document.querySelectorAll('svg.bars').length === 1").asBoolean(),
                    "the eval table with its firing-frequency histogram");
            browser.screenshot(SCREENSHOTS.resolve("synthetic-run.png"), true);

            assertEquals(List.of(), browser.errors, "errors in the page");
            assertEquals("[]", browser.eval("JSON.stringify(sae4jReport.errors)").asText(), "page-side errors");
            assertEquals(List.of(), browser.networkRequests, "requests leaving the machine");
        }
    }

    @Test
    void indexOf16384FeaturesLoadsAndSortsQuickly() throws Exception {
        int n = 16_384;
        long t0 = System.nanoTime();
        ReportData data = SyntheticReport.build(n, 3, 1, 12, 2);
        long t1 = System.nanoTime();
        Path report = tmp.resolve("report");
        ReportWriter.write(data, report);
        long t2 = System.nanoTime();
        try (Chromium browser = Chromium.launch(tmp.resolve("profile"), 1400, 1000)) {
            browser.navigate(report.resolve("index.html").toUri().toString());
            browser.waitFor("window.sae4jReport && sae4jReport.ready");
            double load = browser.eval("sae4jReport.timings.firstView").asDouble();
            assertEquals(n + " features", browser.eval("document.getElementById('count').textContent").asText());
            double sortMax = browser.eval("(() => { const t = performance.now();"
                    + " document.querySelector('.row.header .c-max_act').click(); return performance.now() - t; })()")
                    .asDouble();
            double firstRowMax = browser.eval("Number(document.querySelector('#rows .row .c-max_act').textContent)")
                    .asDouble();
            double sortAgain = browser.eval("(() => { const t = performance.now();"
                    + " document.querySelector('.row.header .c-delta_loss').click(); return performance.now() - t; })()")
                    .asDouble();
            double search = browser.eval("(() => { const t = performance.now(); const s ="
                    + " document.getElementById('search'); s.value = 'park'; s.dispatchEvent(new Event('input'));"
                    + " return performance.now() - t; })()").asDouble();
            System.out.printf("16384-feature report: built in %.1f s, written in %.1f s; in Chromium the index is"
                            + " drawn %.0f ms after navigation starts, sorts by max act in %.0f ms and by ablation in"
                            + " %.0f ms, filters by search in %.0f ms%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, load,
                    sortMax, sortAgain, search);
            double best = 0;
            for (int j = 0; j < n; j++) {
                if (data.activity()[j] != null) {
                    best = Math.max(best, data.activity()[j].maxAct());
                }
            }
            assertEquals(best, firstRowMax, best * 1e-3, "sorted by max act, descending: the largest comes first");
            assertTrue(load < MAX_LOAD_MS, "index drawn after " + load + " ms");
            assertTrue(sortMax < MAX_SORT_MS && sortAgain < MAX_SORT_MS, "sorts took " + sortMax + " and "
                    + sortAgain + " ms");
            assertEquals(List.of(), browser.errors, "errors in the page");
        }
    }
}
