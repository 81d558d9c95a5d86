package org.sae4j.activations.model;

/**
 * One context window of token ids and which positions to harvest activations from.
 *
 * @param tokens  [length] token ids
 * @param harvest [length] true where the activation should be used (by default every non-BOS position: the BOS
 *                residual stream is an outlier shared by all documents and would dominate an SAE's loss)
 */
public record ContextWindow(int[] tokens, boolean[] harvest) {

    public ContextWindow {
        if (tokens.length == 0 || tokens.length != harvest.length) {
            throw new IllegalArgumentException(tokens.length + " tokens and " + harvest.length
                    + " mask entries; need the same non-zero length");
        }
        tokens = tokens.clone();
        harvest = harvest.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean[] harvest() {
        return harvest.clone();
    }

    public int length() {
        return tokens.length;
    }

    /** Positions marked for harvest. */
    public int harvestCount() {
        int n = 0;
        for (boolean h : harvest) {
            n += h ? 1 : 0;
        }
        return n;
    }
}
