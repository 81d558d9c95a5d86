package org.sae4j.dictionary;

/**
 * The weights of the loss terms beyond reconstruction at one step (the trainer derives them from the step), and the
 * few training-only settings the backward needs with them.
 *
 * @param l1Coefficient   standard SAEs: λ in {@code λ · mean_n Σ_j f_nj ‖W_dec[j]‖} (SAELens {@code l1_coefficient});
 *                        gated SAEs: the same λ on the gate path, {@code λ · mean_n Σ_j relu(π_gate)_nj ‖W_dec[j]‖}
 * @param auxKCoefficient TopK and BatchTopK SAEs: α of the AuxK loss (Gao et al. 2024 use 1/32)
 * @param kAux            TopK and BatchTopK SAEs: how many dead latents reconstruct the residual (Gao et al.: dIn/2
 *                        in sparsify and SAELens)
 * @param jumpRelu        JumpReLU SAEs: the sparsity penalty and its straight-through estimator
 * @param thresholdLr     BatchTopK SAEs: rate of the running threshold's EMA (SAELens {@code topk_threshold_lr})
 */
public record TrainingLoss(double l1Coefficient, double auxKCoefficient, int kAux, JumpReLULoss jumpRelu,
        double thresholdLr) {
    public TrainingLoss {
        if (!(l1Coefficient >= 0) || !(auxKCoefficient >= 0) || kAux < 0) {
            throw new IllegalArgumentException("loss weights must be non-negative");
        }
        if (jumpRelu == null) {
            throw new IllegalArgumentException("jumpRelu must be given (JumpReLULoss.NONE for none)");
        }
        if (!(thresholdLr >= 0 && thresholdLr <= 1)) {
            throw new IllegalArgumentException("threshold lr must be in [0, 1], got " + thresholdLr);
        }
    }

    /** The weights of the standard and TopK terms alone. */
    public TrainingLoss(double l1Coefficient, double auxKCoefficient, int kAux) {
        this(l1Coefficient, auxKCoefficient, kAux, JumpReLULoss.NONE, 0);
    }

    /**
     * The loss value of one batch, by term; each is a mean over the batch's rows. A training loop owns one and hands
     * it to {@link SaeWorkspace#backward(TrainingLoss, boolean[], SaeParams, Parts)} every step, which overwrites it,
     * so the step allocates nothing for its loss; {@link SaeWorkspace#backward(TrainingLoss, boolean[], SaeParams)}
     * returns a new one per call, which no later step changes.
     */
    public static final class Parts {
        private double mse;
        private double sparsity;
        private double auxK;
        private double innerMse;

        /** All terms 0, until a backward fills them in. */
        public Parts() {
        }

        void set(double mse, double sparsity, double auxK, double innerMse) {
            this.mse = mse;
            this.sparsity = sparsity;
            this.auxK = auxK;
            this.innerMse = innerMse;
        }

        /** {@code mean_n ‖x̂_n − x_n‖²} (summed over dIn, as SAELens) of the full reconstruction. */
        public double mse() {
            return mse;
        }

        /** λ-weighted L1 term (standard; gated: on the gate path), λ-weighted L0 or tanh term (JumpReLU), else 0. */
        public double sparsity() {
            return sparsity;
        }

        /**
         * The auxiliary term: α-weighted AuxK (TopK, BatchTopK), the gate path's reconstruction through the frozen
         * decoder (Gated), else 0.
         */
        public double auxK() {
            return auxK;
        }

        /** Matryoshka: the reconstruction losses of the inner prefixes, summed; else 0. */
        public double innerMse() {
            return innerMse;
        }

        public double total() {
            return mse + sparsity + auxK + innerMse;
        }

        @Override
        public String toString() {
            return "mse " + mse + ", sparsity " + sparsity + ", auxk " + auxK + ", inner mse " + innerMse;
        }
    }
}
