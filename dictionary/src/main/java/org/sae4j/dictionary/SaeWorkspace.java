package org.sae4j.dictionary;

/**
 * Forward and backward buffers of one SAE for batches of exactly {@code rows} rows, allocated once: a training step
 * allocates no batch- or parameter-sized array, and the sparse architectures' steps (TopK, BatchTopK, Matryoshka)
 * allocate nothing on the heap when the caller passes its own loss record to {@link #backward}. The encoder is one OpenBLAS sgemm
 * bound once ({@link org.sae4j.dictionary.kernels.Gemm}, what {@code Nd4j.gemm} calls; ~4× faster than
 * {@code INDArray.mmul} here) into a preallocated output; the rest depends on the architecture: TopK touches only
 * the k active latents per row ({@link TopKPass}), standard runs dense GEMMs ({@link StandardPass}), JumpReLU too
 * ({@link JumpReLUPass}), BatchTopK and Matryoshka touch only the batch's kept latents ({@link BatchTopKPass}). A
 * BatchTopK workspace selects over the batch, as at training; saved SAEs are JumpReLU ({@link Sae#forInference}).
 *
 * <p>Use: fill {@link #input()}, call {@link #forward()}, read {@link #reconstruction()} and the codes; for training
 * call {@link #backward} next, which writes the gradient of the loss into a {@link SaeParams} of the same layout.
 */
public final class SaeWorkspace {
    private final Pass pass;
    private final boolean tangentDecoderGrad;

    public SaeWorkspace(Sae sae, int rows) {
        this(sae, rows, false);
    }

    /**
     * @param tangentDecoderGrad whether {@link #backward} also removes from each decoder row's gradient its
     *                           component along that row ({@link Sae#removeParallelDecoderGrad}), as training with
     *                           unit-norm decoder rows does; the sparse passes' backwards do it while each row is
     *                           in cache
     */
    public SaeWorkspace(Sae sae, int rows, boolean tangentDecoderGrad) {
        this.tangentDecoderGrad = tangentDecoderGrad;
        Architecture a = sae.config().architecture();
        if (a instanceof Architecture.TopK topK) {
            this.pass = new TopKPass(sae, rows, topK.k());
        } else if (a instanceof Architecture.Gated) {
            this.pass = new GatedPass(sae, rows);
        } else if (a instanceof Architecture.JumpReLU) {
            this.pass = new JumpReLUPass(sae, rows);
        } else if (a instanceof Architecture.BatchTopK b) {
            this.pass = new BatchTopKPass(sae, rows, b.k(), java.util.List.of(sae.config().dSae()));
        } else if (a instanceof Architecture.MatryoshkaBatchTopK m) {
            this.pass = new BatchTopKPass(sae, rows, m.k(), m.widths());
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
     * architecture's sparsity term (standard: decoder-norm-weighted L1; TopK and BatchTopK: AuxK over the latents
     * flagged in {@code dead}, which may be null; JumpReLU: the L0 or tanh penalty; Matryoshka: the inner prefixes'
     * reconstructions too). Overwrites {@code grad}. Returns the loss by term, a new object per call. BatchTopK's
     * backward also moves its running threshold (a parameter the gradient leaves alone). With
     * {@code tangentDecoderGrad} (see the constructor) the decoder rows' gradient is then projected off the rows.
     */
    public TrainingLoss.Parts backward(TrainingLoss loss, boolean[] dead, SaeParams grad) {
        TrainingLoss.Parts parts = new TrainingLoss.Parts();
        backward(loss, dead, grad, parts);
        return parts;
    }

    /**
     * {@link #backward(TrainingLoss, boolean[], SaeParams)}, with the loss by term written into the caller's
     * {@code out}: a training loop passes the same one every step and allocates nothing for it.
     */
    public void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        if (tangentDecoderGrad) {
            pass.backwardTangent(loss, dead, grad, out);
        } else {
            pass.backward(loss, dead, grad, out);
        }
    }

    /**
     * True when the last {@link #backward} checked, as its kernels wrote it, that every gradient element is finite
     * (TopK's does, the tiles still in cache); false when it was not checked or is not finite, so a caller who must
     * know reads the gradient itself.
     */
    public boolean gradientKnownFinite() {
        return pass.gradientFinite;
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
