package org.sae4j.activations.model;

/**
 * Shape of a Llama model, as in the 7-int header of a llama2.c checkpoint.
 *
 * @param dim              width of the residual stream
 * @param hiddenDim        width of the SwiGLU feed-forward layer
 * @param nLayers          transformer blocks
 * @param nHeads           query heads
 * @param nKvHeads         key/value heads (grouped-query attention: {@code nHeads / nKvHeads} query heads share one)
 * @param vocabSize        tokens
 * @param seqLen           longest sequence the model was trained on (and the RoPE tables cover)
 * @param sharedClassifier whether the output classifier is the token-embedding matrix
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int seqLen,
                          boolean sharedClassifier) {

    public LlamaConfig {
        requirePositive("dim", dim);
        requirePositive("hiddenDim", hiddenDim);
        requirePositive("nLayers", nLayers);
        requirePositive("nHeads", nHeads);
        requirePositive("nKvHeads", nKvHeads);
        requirePositive("vocabSize", vocabSize);
        requirePositive("seqLen", seqLen);
        if (dim % nHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not a multiple of nHeads " + nHeads);
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if ((dim / nHeads) % 2 != 0) {
            // RoPE rotates adjacent pairs inside a head.
            throw new IllegalArgumentException("head size " + dim / nHeads + " is odd; RoPE needs pairs");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Width of one attention head. */
    public int headSize() {
        return dim / nHeads;
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return dim / nHeads * nKvHeads;
    }

    /** Query heads reading the same key/value head. */
    public int queriesPerKvHead() {
        return nHeads / nKvHeads;
    }

    /** Number of trained parameters (the classifier counted once when shared). */
    public long parameterCount() {
        long d = dim;
        long perLayer = 2 * d + 2 * d * d + 2 * (long) kvDim() * d + 3 * (long) hiddenDim * d;
        long classifier = sharedClassifier ? 0 : (long) vocabSize * d;
        return (long) vocabSize * d + nLayers * perLayer + d + classifier;
    }
}
