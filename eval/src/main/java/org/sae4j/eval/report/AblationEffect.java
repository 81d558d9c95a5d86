package org.sae4j.eval.report;

import java.util.List;

/**
 * What removing a feature's contribution {@code f_i · W_dec[i]} at the hook point does to the model's next-token
 * prediction on the tokens where it fires (measured by {@code sae4j eval} with the model in the loop).
 *
 * @param meanLossDelta mean change of next-token cross-entropy over the tokens where the feature fires (positive:
 *                      the feature helped)
 * @param topLossDelta  the same on its top activations, or NaN when not measured
 * @param tokens        how many token positions the mean is over
 * @param down          output tokens whose log-probability falls most, most negative first
 * @param up            output tokens whose log-probability rises most, largest first
 */
public record AblationEffect(double meanLossDelta, double topLossDelta, long tokens, List<TokenValue> down,
                             List<TokenValue> up) {
    public AblationEffect {
        if (!Double.isFinite(meanLossDelta)) {
            throw new IllegalArgumentException("meanLossDelta must be finite, got " + meanLossDelta);
        }
        down = List.copyOf(down);
        up = List.copyOf(up);
    }
}
