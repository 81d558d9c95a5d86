package org.sae4j.eval.model;

/**
 * One occurrence of a feature firing, with the tokens around it: the unit the feature browser shows (OpenAI
 * sae-viewer's {@code SequenceInfo}, sae_vis's {@code SequenceData}). Created when the occurrence is chosen; its
 * context is filled in when the pass over the text reaches the document.
 */
public final class Example {
    private final int feature;
    private final int doc;
    private final int position;
    private final float activation;
    private int first = -1;      // document position of tokenIds[0]
    private int[] tokenIds;      // [window] the tokens around the occurrence
    private float[] activations; // [window] the feature's activation on each (0 where it does not fire, and on BOS)
    private float[] lossDiff;    // [window] ablation's Δloss predicting the next token, NaN where undefined; or null

    Example(int feature, int doc, int position, float activation) {
        this.feature = feature;
        this.doc = doc;
        this.position = position;
        this.activation = activation;
    }

    /**
     * Fills the context from the batch holding the document: {@code before} tokens before, {@code after} after
     * (clipped to the document); {@code deltaLoss} [batch rows] is this feature's ablation effect or null.
     */
    void fill(EvalBatch batch, int before, int after, float[] deltaLoss) {
        int s = doc - batch.firstDoc;
        int offset = batch.tokens.offset(s);
        first = Math.max(0, position - before);
        int last = Math.min(batch.tokens.length(s) - 1, position + after);
        int n = last - first + 1;
        tokenIds = new int[n];
        activations = new float[n];
        lossDiff = deltaLoss == null ? null : new float[n];
        for (int i = 0; i < n; i++) {
            int row = offset + first + i;
            tokenIds[i] = batch.tokens.token(row);
            int spliced = batch.splicedIndex[row];
            activations[i] = spliced < 0 ? 0f : batch.codes.activation(spliced, feature);
            if (lossDiff != null) {
                lossDiff[i] = deltaLoss[row];
            }
        }
    }

    public int feature() {
        return feature;
    }

    /** Index of the document in the evaluated text (0-based, after empty documents are dropped). */
    public int doc() {
        return doc;
    }

    /** Position of the occurrence in its document (0 is BOS). */
    public int position() {
        return position;
    }

    public float activation() {
        return activation;
    }

    public boolean filled() {
        return tokenIds != null;
    }

    /** Index of the occurrence inside {@link #tokenIds()}. */
    public int index() {
        return position - first;
    }

    /** Document position of the first context token. */
    public int firstPosition() {
        return first;
    }

    public int[] tokenIds() {
        return tokenIds.clone();
    }

    public float[] activations() {
        return activations.clone();
    }

    /** Ablation Δloss per context token (NaN where the token predicts nothing), or null for a feature not ablated. */
    public float[] lossDiff() {
        return lossDiff == null ? null : lossDiff.clone();
    }
}
