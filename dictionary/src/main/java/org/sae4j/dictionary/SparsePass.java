package org.sae4j.dictionary;

/**
 * The passes whose backward walks only the active latents ({@link org.sae4j.dictionary.kernels.SparseBackward}):
 * TopK's and BatchTopK's. They project each decoder row's gradient off the row inside that walk, against the heap
 * copy of W_dec their forward used, rather than in a pass of its own after it.
 */
abstract sealed class SparsePass extends Pass permits TopKPass, BatchTopKPass {
    SparsePass(Sae sae, int rows) {
        super(sae, rows);
    }

    @Override
    final void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        backward(loss, dead, grad, false, out);
    }

    @Override
    final void backwardTangent(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        backward(loss, dead, grad, true, out);
    }

    /** The backward; with {@code tangentDecoderGrad}, each dW_dec row also projected off its decoder row. */
    abstract void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, boolean tangentDecoderGrad,
                           TrainingLoss.Parts out);
}
