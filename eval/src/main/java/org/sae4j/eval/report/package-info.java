/**
 * The feature browser: a self-contained folder of HTML, JavaScript and data that opens from the file system with no
 * server and no network (as OpenAI's sae-viewer and Neuronpedia show features, after sae_vis's layout).
 *
 * <p>{@link org.sae4j.eval.report.ReportData} is everything a report shows, gathered from independent sources, each
 * optional except the SAE itself: the run folder ({@link org.sae4j.eval.report.RunFolder}: cfg.json, run.json,
 * metrics.jsonl, eval.json), the decoder ({@link org.sae4j.eval.report.DecoderNeighbours}), a pass of the model over
 * text ({@link org.sae4j.eval.report.ActivityHarvest}, {@link org.sae4j.eval.report.DirectLogitEffects}), and the
 * per-feature output of {@code sae4j eval} with the model in the loop ({@link org.sae4j.eval.report.EvalData}, the
 * one adapter from that file's layout to this package's). {@link org.sae4j.eval.report.ReportJson} turns it into
 * the JSON layout of {@code docs/report-data.md}; {@link org.sae4j.eval.report.ReportWriter} writes that layout with
 * the page's assets (resources beside this package) into a folder that appears whole or not at all.
 */
package org.sae4j.eval.report;
