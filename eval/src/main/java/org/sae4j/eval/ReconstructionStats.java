package org.sae4j.eval;

/**
 * Running sums over evaluated tokens from which every reconstruction and sparsity metric is computed at the end,
 * in double precision. Add batches with {@link #add}; read with {@link #result}. Public so the model-in-the-loop
 * evaluation ({@code org.sae4j.eval.model}) reports the same metrics on the model's own activations.
 */
public final class ReconstructionStats {
    private final int dIn;
    private final int dSae;
    private long tokens;
    private double residualSq;       // Σ_n ‖x_n − x̂_n‖²
    private final double[] sumX;     // [dIn] Σ_n x_nd
    private final double[] sumXSq;   // [dIn] Σ_n x_nd²
    private double legacyEvSum;      // Σ_n (1 − ‖r_n‖² / ‖x_n − μ_batch‖²)
    private double cosineSum;        // Σ_n cos(x_n, x̂_n)
    private double l0Sum;
    private double l1Sum;
    private final long[] firings;    // [dSae]

    public ReconstructionStats(int dIn, int dSae) {
        this.dIn = dIn;
        this.dSae = dSae;
        this.sumX = new double[dIn];
        this.sumXSq = new double[dIn];
        this.firings = new long[dSae];
    }

    /** One batch: inputs and reconstructions [rows, dIn], per-row L0 and L1, and each active latent once per row. */
    public void add(float[] x, float[] xHat, int rows, int[] l0, double[] l1) {
        double[] batchMean = new double[dIn];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dIn; d++) {
                batchMean[d] += x[r * dIn + d];
            }
        }
        for (int d = 0; d < dIn; d++) {
            batchMean[d] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            double res = 0;
            double centred = 0;
            double xx = 0;
            double hh = 0;
            double xh = 0;
            for (int d = 0; d < dIn; d++) {
                double xv = x[r * dIn + d];
                double hv = xHat[r * dIn + d];
                res += (xv - hv) * (xv - hv);
                centred += (xv - batchMean[d]) * (xv - batchMean[d]);
                xx += xv * xv;
                hh += hv * hv;
                xh += xv * hv;
                sumX[d] += xv;
                sumXSq[d] += xv * xv;
            }
            residualSq += res;
            legacyEvSum += centred > 0 ? 1 - res / centred : 0;
            cosineSum += xx > 0 && hh > 0 ? xh / Math.sqrt(xx * hh) : 0;
            l0Sum += l0[r];
            l1Sum += l1[r];
        }
        tokens += rows;
    }

    public void fired(int latent) {
        firings[latent]++;
    }

    public long tokens() {
        return tokens;
    }

    public EvalResult.Reconstruction result() {
        double totalVariance = 0; // Σ_d Σ_n (x_nd − μ_d)²
        double meanSqNorm = 0;
        for (int d = 0; d < dIn; d++) {
            totalVariance += sumXSq[d] - sumX[d] * sumX[d] / tokens;
            meanSqNorm += sumXSq[d];
        }
        double[] frequency = new double[dSae];
        int deadCount = 0;
        int denseCount = 0;
        for (int j = 0; j < dSae; j++) {
            frequency[j] = (double) firings[j] / tokens;
            deadCount += firings[j] == 0 ? 1 : 0;
            denseCount += frequency[j] > EvalResult.DENSE_THRESHOLD ? 1 : 0;
        }
        double nmse = residualSq / totalVariance;
        return new EvalResult.Reconstruction(
                tokens,
                residualSq / tokens / dIn,
                residualSq / tokens,
                nmse,
                1 - nmse,
                legacyEvSum / tokens,
                cosineSum / tokens,
                residualSq / meanSqNorm,
                l0Sum / tokens,
                l1Sum / tokens,
                (double) deadCount / dSae,
                (double) denseCount / dSae,
                frequency);
    }
}
