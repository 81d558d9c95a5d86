package org.sae4j.eval.model;

/**
 * The SAE's output on some rows: the reconstruction and the active latents of each row in compressed-row form (the
 * latents of row r are entries {@code [start[r], start[r+1])}, in the order the SAE reports them).
 *
 * @param rows           rows encoded
 * @param reconstruction [rows, dIn] x̂
 * @param start          [rows + 1] first entry of each row
 * @param latent         [entries] latent index of each active entry
 * @param activation     [entries] its activation, always > 0
 */
record Codes(int rows, float[] reconstruction, int[] start, int[] latent, float[] activation) {

    /** Active latents of row r (its L0). */
    int l0(int r) {
        return start[r + 1] - start[r];
    }

    /** Σ of row r's activations (its L1). */
    double l1(int r) {
        double s = 0;
        for (int e = start[r]; e < start[r + 1]; e++) {
            s += activation[e];
        }
        return s;
    }

    /** Activation of {@code feature} at row r, 0 when it is not active there. */
    float activation(int r, int feature) {
        for (int e = start[r]; e < start[r + 1]; e++) {
            if (latent[e] == feature) {
                return activation[e];
            }
        }
        return 0f;
    }
}
