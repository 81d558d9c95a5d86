package org.sae4j.dictionary;

/**
 * Forward and backward buffers of one SAE for batches of exactly {@code rows} rows, allocated once: a training step
 * allocates no batch- or parameter-sized array. The encoder is one {@code Nd4j.gemm} into a preallocated output
 * (measured ~4× faster than {@code INDArray.mmul} here); the rest depends on the architecture: TopK touches only
 * the k active latents per row ({@link TopKPass}), standard runs dense GEMMs ({@link StandardPass}).
 *
 * <p>Use: fill {@link #input()}, call {@link #forward()}, read {@link #reconstruction()} and the codes; for training
 * call {@link #backward} next, which writes the gradient of the loss into a {@link SaeParams} of the same layout.
 */
public final class SaeWorkspace {
    private final Pass pass;

    public SaeWorkspace(Sae sae, int rows) {
        if (sae.config().architecture() instanceof Architecture.TopK topK) {
            this.pass = new TopKPass(sae, rows, topK.k());
        } else if (sae.config().architecture() instanceof Architecture.Gated) {
            this.pass = new GatedPass(sae, rows);
        } else {
            this.pass = new StandardPass(sae, rows);
        }
    }

    public Sae sae() {
        return pass.sae;
    }

    public int rows() {
        return pass.rows;
    }

    /** [rows, dIn] the batch to encode; write into it before {@link #forward()}. */
    public float[] input() {
        return pass.x;
    }

    /** [rows, dIn] x̂ after {@link #forward()}. */
    public float[] reconstruction() {
        return pass.xHat;
    }

    /** Encodes and decodes the input with the SAE's current parameters. */
    public void forward() {
        pass.forward();
    }

    /**
     * Gradient of the training loss at the last forward: reconstruction {@code mean_n ‖x̂_n − x_n‖²} plus the
     * architecture's sparsity term (standard: decoder-norm-weighted L1; TopK: AuxK over the latents flagged in
     * {@code dead}, which may be null). Overwrites {@code grad}. Returns the loss by term.
     */
    public TrainingLoss.Parts backward(TrainingLoss loss, boolean[] dead, SaeParams grad) {
        return pass.backward(loss, dead, grad);
    }

    // ---- what the caller reads after forward() ----

    /** Number of latents above zero in row r. */
    public int l0(int r) {
        return pass.l0(r);
    }

    /** Sum of the latent activations of row r. */
    public double l1(int r) {
        return pass.l1(r);
    }

    /** Calls {@code visitor} with (row, latent, activation) for every activation above zero, row by row. */
    public void forEachActive(ActiveVisitor visitor) {
        pass.forEachActive(visitor);
    }

    @FunctionalInterface
    public interface ActiveVisitor {
        void visit(int row, int latent, float activation);
    }
}
