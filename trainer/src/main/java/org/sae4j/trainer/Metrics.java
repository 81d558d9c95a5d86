package org.sae4j.trainer;

/**
 * One line of metrics.jsonl: averages over the steps since the previous line (SAELens/wandb names where they exist).
 *
 * @param step              steps done
 * @param tokens            tokens trained on so far
 * @param lr                learning rate at the last step
 * @param l1Coefficient     λ at the last step (standard SAEs)
 * @param loss              total loss
 * @param mse               reconstruction term, mean over rows of ‖x̂ − x‖² (on normalised inputs)
 * @param sparsityLoss      L1 term (standard)
 * @param auxKLoss          AuxK term (TopK)
 * @param l0                mean number of active latents per token
 * @param explainedVariance 1 − Σ‖x − x̂‖² / Σ‖x − mean(x)‖² within each batch
 * @param deadFraction      latents that did not fire for dead_tokens_threshold tokens
 * @param tokensPerSecond   throughput over the interval
 * @param skippedRows       activation rows dropped for holding NaN/Inf since the run began ({@code non_finite_inputs =
 *                          skip}; 0 otherwise)
 */
public record Metrics(
        long step,
        long tokens,
        double lr,
        double l1Coefficient,
        double loss,
        double mse,
        double sparsityLoss,
        double auxKLoss,
        double l0,
        double explainedVariance,
        double deadFraction,
        double tokensPerSecond,
        long skippedRows) {
}
