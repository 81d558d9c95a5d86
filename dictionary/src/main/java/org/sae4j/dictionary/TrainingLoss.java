package org.sae4j.dictionary;

/**
 * The weights of the loss terms beyond reconstruction, at one step (the trainer derives them from the step).
 *
 * @param l1Coefficient   standard SAEs: λ in {@code λ · mean_n Σ_j f_nj ‖W_dec[j]‖} (SAELens {@code l1_coefficient});
 *                        gated SAEs: the same λ on the gate path, {@code λ · mean_n Σ_j relu(π_gate)_nj ‖W_dec[j]‖}
 * @param auxKCoefficient TopK SAEs: α of the AuxK loss (Gao et al. 2024 use 1/32)
 * @param kAux            TopK SAEs: how many dead latents reconstruct the residual (Gao et al.: dIn/2 in sparsify
 *                        and SAELens)
 */
public record TrainingLoss(double l1Coefficient, double auxKCoefficient, int kAux) {
    public TrainingLoss {
        if (!(l1Coefficient >= 0) || !(auxKCoefficient >= 0) || kAux < 0) {
            throw new IllegalArgumentException("loss weights must be non-negative");
        }
    }

    /**
     * The loss value of one batch, by term; each is a mean over the batch's rows.
     *
     * @param mse      {@code mean_n ‖x̂_n − x_n‖²} (summed over dIn, as SAELens)
     * @param sparsity λ-weighted L1 term (standard; gated: on the gate path), else 0
     * @param auxK     the auxiliary term: α-weighted AuxK (TopK), the gate path's reconstruction through the frozen
 *                 decoder (Gated), else 0
     */
    public record Parts(double mse, double sparsity, double auxK) {
        public double total() {
            return mse + sparsity + auxK;
        }
    }
}
