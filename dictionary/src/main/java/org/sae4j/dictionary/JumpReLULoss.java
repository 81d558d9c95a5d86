package org.sae4j.dictionary;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The sparsity penalty of a JumpReLU SAE at one step, and the straight-through estimator (STE) that gives the
 * threshold a gradient (Rajamanoharan et al. 2024, "Jumping Ahead", §3–4; SAELens {@code JumpReLUTrainingSAE}).
 * The step function H has zero derivative almost everywhere; the STE replaces its derivative in θ by a rectangle
 * kernel of width ε: {@code ∂H(pre − θ)/∂θ ≈ −(1/ε)·rect((pre − θ)/ε)}, and so
 * {@code ∂[pre·H(pre − θ)]/∂θ ≈ −(θ/ε)·rect((pre − θ)/ε)}, with rect(u) = 1 for |u| < ½.
 *
 * @param l0Coefficient λ of the penalty (SAELens {@code l0_coefficient}); 0 turns it off
 * @param bandwidth     ε of the rectangle kernel (SAELens {@code jumprelu_bandwidth})
 * @param mode          {@code step}: λ·mean_n Σ_j H(pre_nj − θ_j), the L0 itself (Google DeepMind);
 *                      {@code tanh}: λ·mean_n Σ_j tanh(c · f_nj · ‖W_dec[j]‖) (Anthropic, as SAELens)
 * @param tanhScale     c of the tanh mode (SAELens {@code jumprelu_tanh_scale})
 */
public record JumpReLULoss(double l0Coefficient, double bandwidth, Mode mode, double tanhScale) {
    /** No penalty: for architectures other than JumpReLU. */
    public static final JumpReLULoss NONE = new JumpReLULoss(0, 1, Mode.STEP, 1);

    /** SAELens {@code jumprelu_sparsity_loss_mode}. */
    public enum Mode {
        @JsonProperty("step")
        STEP,
        @JsonProperty("tanh")
        TANH
    }

    public JumpReLULoss {
        if (!(l0Coefficient >= 0) || Double.isInfinite(l0Coefficient)) {
            throw new IllegalArgumentException("l0_coefficient must be non-negative, got " + l0Coefficient);
        }
        if (!(bandwidth > 0) || Double.isInfinite(bandwidth)) {
            throw new IllegalArgumentException("jumprelu_bandwidth must be positive, got " + bandwidth);
        }
        if (mode == null) {
            throw new IllegalArgumentException("jumprelu_sparsity_loss_mode must be step or tanh");
        }
        if (!(tanhScale > 0) || Double.isInfinite(tanhScale)) {
            throw new IllegalArgumentException("jumprelu_tanh_scale must be positive, got " + tanhScale);
        }
    }

    /** rect((pre − θ)/ε): 1 when pre is within ε/2 of θ (open interval), else 0. */
    public static boolean inWindow(float pre, float theta, double bandwidth) {
        double u = (pre - (double) theta) / bandwidth;
        return u > -0.5 && u < 0.5;
    }
}
