package org.sae4j.eval.report;

import java.util.List;

/**
 * The tokens a feature's decoder direction pushes up and down most along the direct path to the logits, as sae_vis's
 * logit table: largest first in {@code positive}, most negative first in {@code negative}.
 *
 * @param positive tokens with the largest effects, descending
 * @param negative tokens with the most negative effects, ascending
 */
public record LogitEffect(List<TokenValue> positive, List<TokenValue> negative) {
    public LogitEffect {
        positive = List.copyOf(positive);
        negative = List.copyOf(negative);
    }
}
