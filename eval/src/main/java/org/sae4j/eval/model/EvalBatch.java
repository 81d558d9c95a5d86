package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Whole documents run through the clean model in one forward pass: the clean logits, the activation at the hook
 * point, and the SAE's codes on the non-BOS rows (the SAE's inputs, called "spliced rows" below).
 */
final class EvalBatch {
    final int firstDoc;       // document index of sequence 0
    final TokenBatch tokens;
    final int rows;
    final int vocab;
    final int dIn;
    final float[] x;          // [rows, dIn] clean activation at the hook
    final float[] logits;     // [rows, vocab] clean logits
    final double[] lse;       // [rows] logsumexp of each clean logit row
    final int[] splicedRow;   // [n] batch row of each spliced row, in order
    final int[] splicedIndex; // [rows] index among spliced rows, −1 for BOS
    final float[] xSpliced;   // [n, dIn] the SAE's inputs
    final Codes codes;        // over the n spliced rows

    private EvalBatch(int firstDoc, TokenBatch tokens, int vocab, int dIn, float[] x, float[] logits,
                      BatchEncoder encoder) {
        this.firstDoc = firstDoc;
        this.tokens = tokens;
        this.rows = tokens.rows();
        this.vocab = vocab;
        this.dIn = dIn;
        this.x = x;
        this.logits = logits;
        this.lse = new double[rows];
        for (int r = 0; r < rows; r++) {
            lse[r] = LogProbs.logSumExp(logits, r * vocab, vocab);
        }
        this.splicedIndex = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            splicedIndex[r] = tokens.token(r) == Tokenizer.BOS ? -1 : n++;
        }
        this.splicedRow = new int[n];
        this.xSpliced = new float[n * dIn];
        for (int r = 0; r < rows; r++) {
            int i = splicedIndex[r];
            if (i >= 0) {
                splicedRow[i] = r;
                System.arraycopy(x, r * dIn, xSpliced, i * dIn, dIn);
            }
        }
        this.codes = encoder.encode(xSpliced, n);
    }

    /** Runs {@code windows} (documents {@code firstDoc, firstDoc + 1, …}) through the clean model and the SAE. */
    static EvalBatch run(LlamaModel model, HookPoint hook, BatchEncoder encoder, List<ContextWindow> windows,
                         int firstDoc) {
        List<int[]> sequences = new ArrayList<>(windows.size());
        for (ContextWindow w : windows) {
            sequences.add(w.tokens());
        }
        TokenBatch tokens = TokenBatch.of(sequences);
        int dIn = model.config().dim();
        float[] x = new float[tokens.rows() * dIn];
        float[] logits = Nio.get(model.forward(tokens, Map.of(hook, Splice.capture(x))));
        return new EvalBatch(firstDoc, tokens, model.config().vocabSize(), dIn, x, logits, encoder);
    }

    /** Number of spliced (non-BOS) rows. */
    int spliced() {
        return splicedRow.length;
    }

    /** Whether row r predicts a next token of its own document (it is not its sequence's last row). */
    boolean predicts(int r) {
        int s = tokens.sequenceOf(r);
        return r + 1 < tokens.offset(s) + tokens.length(s);
    }

    /** Document index of row r. */
    int doc(int r) {
        return firstDoc + tokens.sequenceOf(r);
    }

    /** The full activation [rows, dIn] with every spliced row i replaced by {@code spliced[i]} ([n, dIn]). */
    float[] withSpliced(float[] spliced) {
        float[] out = x.clone();
        for (int i = 0; i < splicedRow.length; i++) {
            System.arraycopy(spliced, i * dIn, out, splicedRow[i] * dIn, dIn);
        }
        return out;
    }
}
