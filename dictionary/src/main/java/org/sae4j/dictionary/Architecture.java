package org.sae4j.dictionary;

/**
 * How latents are made sparse. A closed family: each architecture is a record, and code that depends on the
 * architecture switches over the records, so adding one (JumpReLU, BatchTopK, Gated, Matryoshka) is a new record
 * and a new case where the compiler points, not a rewrite.
 */
public sealed interface Architecture permits Architecture.Standard, Architecture.TopK, Architecture.Gated {

    /** The {@code architecture} value in a SAELens v6 {@code cfg.json}. */
    String saelensName();

    /**
     * ReLU latents trained with an L1 penalty weighted by each latent's decoder-row norm, as SAELens {@code standard}
     * (Anthropic, "Towards Monosemanticity" update, April 2024): {@code f = relu(W_enc·(x − b_dec) + b_enc)}.
     */
    record Standard() implements Architecture {
        @Override
        public String saelensName() {
            return "standard";
        }
    }

    /**
     * Exactly the k largest pre-activations of each token are kept, then ReLU (Gao et al. 2024, "Scaling and
     * evaluating sparse autoencoders"); SAELens {@code topk}. Dead latents are revived by the AuxK loss at training.
     */
    record TopK(int k) implements Architecture {
        public TopK {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + k);
            }
        }

        @Override
        public String saelensName() {
            return "topk";
        }
    }

    /**
     * Gated SAE (Rajamanoharan et al. 2024, "Improving Dictionary Learning with Gated Sparse Autoencoders"); SAELens
     * {@code gated}. One encoder matrix serves two paths: the gate decides which latents fire,
     * {@code π_gate = (x − b_dec)·W_enc + b_gate}, and the magnitude path says how strongly,
     * {@code π_mag = (x − b_dec)·(W_enc ⊙ exp(r_mag)) + b_mag}; {@code f = 1[π_gate > 0] ⊙ relu(π_mag)}. Trained with
     * the decoder-norm-weighted L1 on relu(π_gate) and an auxiliary reconstruction from the gate path alone
     * ({@link GatedPass}).
     */
    record Gated() implements Architecture {
        @Override
        public String saelensName() {
            return "gated";
        }
    }
}
