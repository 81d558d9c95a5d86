package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.TokenBatch;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Per-feature ablation: for one feature at a time, the documents of a batch in which it fires are run again with
 * {@code f_i · W_dec[i]} subtracted from the hook-point activation on every token where it fires (all of them at
 * once, so later tokens also see earlier removals), and the ablated next-token distributions are compared with the
 * clean ones. Sums accumulate per ablated feature over all batches.
 */
final class FeatureAblation {
    private final LlamaModel model;
    private final HookPoint hook;
    private final int vocab;
    private final int[] features;     // [slots] the ablated features
    private final int[] slotOf;       // [dSae] slot of each feature, −1 if not ablated
    private final float[][] direction; // [slots][dIn] W_dec rows of the ablated features
    private final long[] firings;
    private final long[] documents;
    private final long[] predictingFirings;
    private final double[] deltaLossSum;
    private final double[] klSum;
    private final double[] allPositionsDeltaSum;
    private final double[][] logProbEffectSum; // [slots][vocab] Σ over firings of log p_clean − log p_ablated

    FeatureAblation(LlamaModel model, HookPoint hook, float[] wDec, int dSae, int dIn, int[] ablated) {
        this.model = model;
        this.hook = hook;
        this.vocab = model.config().vocabSize();
        this.features = ablated.clone();
        this.slotOf = new int[dSae];
        Arrays.fill(slotOf, -1);
        this.direction = new float[ablated.length][];
        for (int s = 0; s < ablated.length; s++) {
            slotOf[ablated[s]] = s;
            direction[s] = Arrays.copyOfRange(wDec, ablated[s] * dIn, (ablated[s] + 1) * dIn);
        }
        int n = ablated.length;
        firings = new long[n];
        documents = new long[n];
        predictingFirings = new long[n];
        deltaLossSum = new double[n];
        klSum = new double[n];
        allPositionsDeltaSum = new double[n];
        logProbEffectSum = new double[n][vocab];
    }

    int[] features() {
        return features.clone();
    }

    /** Whether {@code feature} is among the ablated ones. */
    boolean ablates(int feature) {
        return slotOf[feature] >= 0;
    }

    /**
     * Ablates {@code feature} in {@code batch} at the spliced rows {@code firing} (indices among the batch's spliced
     * rows, with the activations {@code acts}) and returns loss(ablated) − loss(clean) for every batch row that
     * predicts a token in the documents rerun (those holding a firing); NaN elsewhere. Only documents with
     * {@code counted[s]} add to the feature's mean effects (the others are rerun for their examples alone).
     */
    float[] run(EvalBatch batch, int feature, int[] firing, float[] acts, int count, boolean[] counted) {
        int slot = slotOf[feature];
        boolean[] rerun = new boolean[batch.tokens.size()];
        float[] scaleOfRow = new float[batch.rows]; // [rows] −f where the feature fires
        for (int e = 0; e < count; e++) {
            int row = batch.splicedRow[firing[e]];
            scaleOfRow[row] = -acts[e];
            rerun[batch.tokens.sequenceOf(row)] = true;
        }
        List<int[]> sequences = new ArrayList<>();
        List<Integer> firstRow = new ArrayList<>();
        for (int s = 0; s < rerun.length; s++) {
            if (rerun[s]) {
                sequences.add(batch.tokens.sequence(s));
                firstRow.add(batch.tokens.offset(s));
                documents[slot] += counted[s] ? 1 : 0;
            }
        }
        TokenBatch sub = TokenBatch.of(sequences);
        int[] rowOf = new int[sub.rows()]; // [sub rows] → batch row
        float[] scale = new float[sub.rows()];
        for (int s = 0; s < sub.size(); s++) {
            for (int t = 0; t < sub.length(s); t++) {
                rowOf[sub.offset(s) + t] = firstRow.get(s) + t;
                scale[sub.offset(s) + t] = scaleOfRow[firstRow.get(s) + t];
            }
        }
        float[] ablated = Nio.get(model.forward(sub, Map.of(hook, Splice.addScaled(direction[slot], scale))));
        float[] delta = new float[batch.rows];
        Arrays.fill(delta, Float.NaN);
        double[] effect = logProbEffectSum[slot];
        for (int i = 0; i < sub.rows(); i++) {
            int row = rowOf[i];
            double lseA = LogProbs.logSumExp(ablated, i * vocab, vocab);
            double lseC = batch.lse[row];
            boolean predicts = batch.predicts(row);
            boolean inMeans = counted[batch.tokens.sequenceOf(row)];
            double d = 0;
            if (predicts) {
                int next = batch.tokens.token(row + 1);
                d = LogProbs.crossEntropy(ablated, i * vocab, lseA, next)
                        - LogProbs.crossEntropy(batch.logits, row * vocab, lseC, next);
                delta[row] = (float) d;
                allPositionsDeltaSum[slot] += inMeans ? d : 0;
            }
            if (scale[i] != 0f && inMeans) {
                firings[slot]++;
                if (predicts) {
                    predictingFirings[slot]++;
                    deltaLossSum[slot] += d;
                }
                klSum[slot] += LogProbs.kl(batch.logits, row * vocab, lseC, ablated, i * vocab, lseA, vocab);
                for (int v = 0; v < vocab; v++) {
                    effect[v] += (batch.logits[row * vocab + v] - lseC) - (ablated[i * vocab + v] - lseA);
                }
            }
        }
        return delta;
    }

    /** The effect of the feature in {@code slot}; {@code deltaLossAtTop} comes from its top examples. */
    AblationEffect effect(int slot, double deltaLossAtTop, int tokens) {
        long n = firings[slot];
        double[] meanEffect = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            meanEffect[v] = n == 0 ? 0 : logProbEffectSum[slot][v] / n;
        }
        return new AblationEffect(features[slot], documents[slot], n,
                predictingFirings[slot] == 0 ? Double.NaN : deltaLossSum[slot] / predictingFirings[slot],
                deltaLossAtTop,
                n == 0 ? Double.NaN : klSum[slot] / n,
                n == 0 ? Double.NaN : allPositionsDeltaSum[slot] / n,
                Ranked.extreme(meanEffect, 0, vocab, tokens, true),
                Ranked.extreme(meanEffect, 0, vocab, tokens, false));
    }

    /** Documents counted so far for the feature in {@code slot}. */
    long documents(int slot) {
        return documents[slot];
    }

    int slot(int feature) {
        return slotOf[feature];
    }

    int slots() {
        return features.length;
    }
}
