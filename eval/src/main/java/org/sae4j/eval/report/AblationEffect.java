package org.sae4j.eval.report;

import java.util.List;

/**
 * What removing a feature's contribution {@code f_i · W_dec[i]} at the hook point, on the tokens where it fires, does
 * to the model's next-token prediction: measured by {@code sae4j eval} with the model in the loop, whose definitions
 * (and field names) these are.
 *
 * @param documents    documents the means are over
 * @param firings      tokens where it fired (and was removed) in them
 * @param deltaLoss    mean over those tokens of loss(ablated) − loss(clean): positive when the feature helped;
 *                     NaN when undefined
 * @param deltaLossTop the same over its top-activating examples, or NaN
 * @param kl           mean KL(clean ‖ ablated) of the next-token distribution over those tokens, or NaN
 * @param upvoted      tokens whose log-probability the feature raises most (log p_clean − log p_ablated), largest
 *                     first
 * @param downvoted    tokens it lowers most, most negative first
 */
public record AblationEffect(long documents, long firings, double deltaLoss, double deltaLossTop, double kl,
                             List<TokenValue> upvoted, List<TokenValue> downvoted) {
    public AblationEffect {
        upvoted = List.copyOf(upvoted);
        downvoted = List.copyOf(downvoted);
    }
}
