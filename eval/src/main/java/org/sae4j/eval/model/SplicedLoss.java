package org.sae4j.eval.model;

/**
 * Next-token loss of the model with its hook-point activation replaced (on non-BOS tokens), against the clean model.
 * Means are over every predicted token (each document of n tokens predicts n − 1), token-weighted, in nats: the
 * loss protocol of {@code LossEvaluator}. Field names follow SAEBench's core evaluation.
 *
 * @param predictedTokens       tokens predicted
 * @param ceLossWithoutSae      CE of the clean model
 * @param ceLossWithSae         CE with the SAE's reconstruction x̂ spliced in
 * @param ceLossWithAblation    CE with the activation set to zero
 * @param ceLossWithSaePlusError CE with x̂ + (x − x̂) spliced in: a self-check, equal to the clean CE up to float
 *                              rounding
 * @param klDivWithSae          mean KL(p_clean ‖ p_sae) of the next-token distributions
 * @param klDivWithAblation     mean KL(p_clean ‖ p_zero)
 * @param klDivWithSaePlusError mean KL(p_clean ‖ p_{x̂ + error}): ~0, the same self-check
 */
public record SplicedLoss(long predictedTokens, double ceLossWithoutSae, double ceLossWithSae,
                          double ceLossWithAblation, double ceLossWithSaePlusError, double klDivWithSae,
                          double klDivWithAblation, double klDivWithSaePlusError) {

    /** (CE_zero − CE_sae) / (CE_zero − CE_clean): 1 when splicing costs nothing, 0 when it is as bad as zeroing. */
    public double ceLossScore() {
        return (ceLossWithAblation - ceLossWithSae) / (ceLossWithAblation - ceLossWithoutSae);
    }

    /** (KL_zero − KL_sae) / KL_zero, the same normalisation for the KL divergence. */
    public double klDivScore() {
        return (klDivWithAblation - klDivWithSae) / klDivWithAblation;
    }
}
