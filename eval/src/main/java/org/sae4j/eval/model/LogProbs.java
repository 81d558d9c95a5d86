package org.sae4j.eval.model;

/** Log-softmax quantities of logit rows, in double precision (rows are runs of {@code vocab} floats). */
final class LogProbs {
    private LogProbs() {
    }

    /** log Σ_v exp(logits[off + v]). */
    static double logSumExp(float[] logits, int off, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[off + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[off + v] - max);
        }
        return max + Math.log(sum);
    }

    /** Next-token cross-entropy −log softmax(row)[target], given the row's logsumexp. */
    static double crossEntropy(float[] logits, int off, double lse, int target) {
        return lse - logits[off + target];
    }

    /**
     * KL(p ‖ q) = Σ_v p_v (log p_v − log q_v) with p = softmax of row {@code p} (the clean model) and q = softmax of
     * row {@code q} (the spliced one), given both logsumexps.
     */
    static double kl(float[] p, int pOff, double lseP, float[] q, int qOff, double lseQ, int vocab) {
        double s = 0;
        for (int v = 0; v < vocab; v++) {
            double logP = p[pOff + v] - lseP;
            s += Math.exp(logP) * (logP - (q[qOff + v] - lseQ));
        }
        return s;
    }
}
