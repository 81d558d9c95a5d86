package org.sae4j.eval.model;

import java.nio.FloatBuffer;
import org.sae4j.activations.model.Hook;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.kernels.Nio;

/**
 * The hooks the evaluation puts at the SAE's hook point. BOS rows are never rewritten (see the package comment);
 * rows a hook does not rewrite keep the clean activation bit for bit.
 */
final class Splice {
    private Splice() {
    }

    /** Copies the activation [rows, dim] into {@code into} and leaves it unchanged. */
    static Hook capture(float[] into) {
        return (point, activation, batch) -> {
            FloatBuffer a = Nio.floats(activation);
            a.get(0, into, 0, a.limit());
        };
    }

    /** Replaces every non-BOS row r by {@code values[r]} ({@code values} [rows, dim]). */
    static Hook replace(float[] values) {
        return (point, activation, batch) -> {
            FloatBuffer a = Nio.floats(activation);
            int dim = a.limit() / batch.rows();
            for (int r = 0; r < batch.rows(); r++) {
                if (batch.token(r) != Tokenizer.BOS) {
                    a.put(r * dim, values, r * dim, dim);
                }
            }
        };
    }

    /**
     * Adds {@code scale[r] · direction} to each row r with {@code scale[r] != 0} ({@code direction} [dim],
     * {@code scale} [rows]): with {@code scale[r] = −f_i} on the rows where latent i fires, this removes its
     * contribution {@code f_i · W_dec[i]}. Rows with scale 0 are not written.
     */
    static Hook addScaled(float[] direction, float[] scale) {
        return (point, activation, batch) -> {
            FloatBuffer a = Nio.floats(activation);
            int dim = direction.length;
            for (int r = 0; r < batch.rows(); r++) {
                float s = scale[r];
                if (s != 0f && batch.token(r) != Tokenizer.BOS) {
                    for (int d = 0; d < dim; d++) {
                        a.put(r * dim + d, a.get(r * dim + d) + s * direction[d]);
                    }
                }
            }
        };
    }

    /** Adds {@code coefficient · direction} to every non-BOS row, whatever the batch (steering during generation). */
    static Hook steer(float[] direction, float coefficient) {
        return (point, activation, batch) -> {
            FloatBuffer a = Nio.floats(activation);
            int dim = direction.length;
            for (int r = 0; r < batch.rows(); r++) {
                if (batch.token(r) != Tokenizer.BOS) {
                    for (int d = 0; d < dim; d++) {
                        a.put(r * dim + d, a.get(r * dim + d) + coefficient * direction[d]);
                    }
                }
            }
        };
    }
}
