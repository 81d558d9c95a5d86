package org.sae4j.eval.model;

/**
 * What removing one feature's contribution {@code f_i · W_dec[i]} from the hook point, on the tokens where it fires,
 * does to the model's next-token predictions (formulas in docs/evaluation.md).
 *
 * @param feature            the feature
 * @param documents          documents its mean effects are over: the first ones it fires in, up to the configured
 *                           {@code ablation_documents}
 * @param firings            tokens where it fired (and was removed) in those documents
 * @param deltaLossAtFiring  mean over firing tokens that predict a next token of loss(ablated) − loss(clean)
 * @param deltaLossAtTop     the same mean over the feature's top-activating examples
 * @param klAtFiring         mean over firing tokens of KL(clean ‖ ablated) of the next-token distribution
 * @param deltaLossPerFiring Σ of loss(ablated) − loss(clean) over every predicted token of the documents it fires in
 *                           (later tokens too, which see the ablation through attention), per firing
 * @param upvoted            tokens whose log-probability the feature raises most: the largest means over firing
 *                           tokens of log p_clean(v) − log p_ablated(v)
 * @param downvoted          tokens it lowers most: the smallest such means
 */
public record AblationEffect(int feature, long documents, long firings, double deltaLossAtFiring, double deltaLossAtTop,
                             double klAtFiring, double deltaLossPerFiring, Ranked upvoted,
                             Ranked downvoted) {
}
