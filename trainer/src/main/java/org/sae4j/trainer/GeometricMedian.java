package org.sae4j.trainer;

import java.util.Arrays;

/**
 * Weiszfeld's iteration for the geometric median of a sample (the point minimising the sum of Euclidean distances),
 * used to initialise b_dec as in Bricken et al. 2023 and SAELens: a robust centre of the data.
 */
final class GeometricMedian {
    private GeometricMedian() {
    }

    /** @param rows [n, dim] row-major */
    static float[] of(float[] rows, int n, int dim, int maxIterations, double tolerance) {
        double[] y = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                y[d] += rows[i * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            y[d] /= n;
        }
        double[] next = new double[dim];
        for (int it = 0; it < maxIterations; it++) {
            Arrays.fill(next, 0);
            double weightSum = 0;
            for (int i = 0; i < n; i++) {
                double sq = 0;
                for (int d = 0; d < dim; d++) {
                    double diff = rows[i * dim + d] - y[d];
                    sq += diff * diff;
                }
                double w = 1 / Math.max(Math.sqrt(sq), 1e-8);
                weightSum += w;
                for (int d = 0; d < dim; d++) {
                    next[d] += w * rows[i * dim + d];
                }
            }
            double shift = 0;
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                next[d] /= weightSum;
                shift += (next[d] - y[d]) * (next[d] - y[d]);
                norm += next[d] * next[d];
                y[d] = next[d];
            }
            if (Math.sqrt(shift) <= tolerance * Math.max(Math.sqrt(norm), 1e-12)) {
                break;
            }
        }
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = (float) y[d];
        }
        return out;
    }
}
