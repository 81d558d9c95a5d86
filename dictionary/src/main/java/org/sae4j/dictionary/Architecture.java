package org.sae4j.dictionary;

import java.util.List;

/**
 * How latents are made sparse. A closed family: each architecture is a record, and code that depends on the
 * architecture switches over the records, so adding one (JumpReLU, BatchTopK, Gated, Matryoshka) is a new record
 * and a new case where the compiler points, not a rewrite.
 */
public sealed interface Architecture permits Architecture.Standard, Architecture.TopK, Architecture.Gated,
        Architecture.JumpReLU, Architecture.BatchTopK, Architecture.MatryoshkaBatchTopK {

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

    /**
     * {@code f = relu(pre) · H(pre − θ)} with a learned per-latent threshold θ (tensor {@code threshold [d_sae]}),
     * Rajamanoharan et al. 2024, "Jumping Ahead"; SAELens {@code jumprelu}. Also the inference form of
     * {@link BatchTopK} and {@link MatryoshkaBatchTopK}, which SAELens saves as {@code jumprelu} too. How it is
     * trained (bandwidth, L0 or tanh penalty) is the training config's business, not the SAE's.
     */
    record JumpReLU() implements Architecture {
        @Override
        public String saelensName() {
            return "jumprelu";
        }
    }

    /**
     * BatchTopK (Bussmann et al. 2024, "BatchTopK Sparse Autoencoders"): at training, the k·batch largest positive
     * pre-activations of the whole batch are kept, so k is the mean L0; a running threshold (an EMA of the smallest
     * kept activation) is learned beside it and replaces the batch selection at inference. A training form only:
     * saved as SAELens {@code jumprelu} with {@code threshold} = that threshold for every latent, as SAELens saves
     * its {@code batchtopk}.
     */
    record BatchTopK(int k) implements Architecture {
        public BatchTopK {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + k);
            }
        }

        @Override
        public String saelensName() {
            return "jumprelu";
        }
    }

    /**
     * Matryoshka BatchTopK (Bussmann, Nabeshima et al. 2025, "Learning Multi-Level Features with Matryoshka SAEs"):
     * BatchTopK codes, decoded by every nested prefix of latents {@code [0, widths[m])}, each prefix's
     * reconstruction loss added, so early latents learn general features alone. {@code widths} are the prefix ends,
     * strictly increasing, the last = d_sae (checked by {@link SaeConfig}). A training form, saved as
     * {@code jumprelu} like {@link BatchTopK}.
     */
    record MatryoshkaBatchTopK(int k, List<Integer> widths) implements Architecture {
        public MatryoshkaBatchTopK {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + k);
            }
            widths = List.copyOf(widths);
            if (widths.isEmpty()) {
                throw new IllegalArgumentException("matryoshka widths must name at least one prefix");
            }
            for (int m = 0; m < widths.size(); m++) {
                if (widths.get(m) < 1 || (m > 0 && widths.get(m) <= widths.get(m - 1))) {
                    throw new IllegalArgumentException("matryoshka widths must be positive and strictly increasing,"
                            + " got " + widths);
                }
            }
            if (widths.get(0) < k) {
                throw new IllegalArgumentException("the smallest matryoshka width " + widths.get(0)
                        + " is below k = " + k);
            }
        }

        @Override
        public String saelensName() {
            return "jumprelu";
        }
    }
}
