package org.sae4j.eval.model;

/**
 * Per-feature sums over every SAE input token of the text, gathered in the first pass: how often each feature fires,
 * its mean and largest activation, and where its largest activations occur.
 */
final class FeatureStats {
    final long[] count;     // [dSae] tokens it fired on
    final double[] sum;     // [dSae] Σ activation
    final double[] sumSq;   // [dSae] Σ activation²
    final float[] max;      // [dSae] largest activation
    final TopActivations top;

    FeatureStats(int dSae, int topExamples) {
        count = new long[dSae];
        sum = new double[dSae];
        sumSq = new double[dSae];
        max = new float[dSae];
        top = new TopActivations(dSae, topExamples);
    }

    void add(int feature, float activation, int doc, int position) {
        count[feature]++;
        sum[feature] += activation;
        sumSq[feature] += (double) activation * activation;
        max[feature] = Math.max(max[feature], activation);
        top.offer(feature, activation, doc, position);
    }
}
