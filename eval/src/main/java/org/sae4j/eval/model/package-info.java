/**
 * Evaluation with the language model in the loop: the SAE's reconstruction spliced into the forward pass at its hook
 * point (next-token loss and KL against the clean model and against zero-ablation), per-feature ablation effects,
 * direct logit effects, top-activating and quantile examples, activation histograms and decoder neighbours
 * ({@link org.sae4j.eval.model.ModelEvaluator}, written as eval.json plus one JSON per feature by
 * {@link org.sae4j.eval.model.FeatureFiles}), and steering ({@link org.sae4j.eval.model.Steering}). Every metric is
 * defined with its formula in {@code docs/evaluation.md}.
 *
 * <p>Positions holding BOS are never spliced, ablated or steered and never count as SAE inputs: the SAE is trained
 * without them (their residual stream is an outlier shared by all documents), as SAEBench's
 * {@code exclude_special_tokens_from_reconstruction}.
 */
package org.sae4j.eval.model;
