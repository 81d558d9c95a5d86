package org.sae4j.eval.report;

/**
 * A vocabulary token with a number attached: a logit effect, or a change in log-probability under ablation.
 *
 * @param token the token as display text
 * @param value its number
 */
public record TokenValue(String token, double value) {
    public TokenValue {
        if (token == null) {
            throw new IllegalArgumentException("token is null");
        }
    }
}
