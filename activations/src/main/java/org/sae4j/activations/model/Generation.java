package org.sae4j.activations.model;

/**
 * What {@link Generator} produced.
 *
 * @param ids  BOS, the prompt tokens, then the generated tokens
 * @param text everything after BOS decoded (prompt included), as llama2.c prints it
 */
public record Generation(int[] ids, String text) {

    public Generation {
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }
}
