package org.sae4j.dictionary.kernels;

import java.nio.FloatBuffer;

/**
 * Row-wise passes over [rows, cols] matrices in native memory: the decoder-norm constraint of TopK training and a
 * matrix-vector product. Each row is copied into per-thread heap scratch, worked on with {@link FloatOps}, and
 * written back: one read (and at most one write) of the matrix, spread over the cores. ND4J's equivalents made
 * full-size temporaries ({@code g.mul(w)}, {@code w.mulColumnVector(..)}) and took ~0.8 s at 16384×768 here.
 */
public final class RowOps {
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private RowOps() {
    }

    /** {@code g[r] −= (g[r]·w[r]) · w[r]} for every row: removes each gradient row's component along a unit row. */
    public static void removeParallel(FloatBuffer g, FloatBuffer w, int rows, int cols) {
        run(Pass.REMOVE_PARALLEL, g, w, null, null, rows, cols, 64);
    }

    /** {@code w[r] /= (‖w[r]‖ + 1e-12)}: unit rows, and rows of exactly zero stay zero. */
    public static void normalize(FloatBuffer w, int rows, int cols) {
        run(Pass.NORMALIZE, null, w, null, null, rows, cols, 64);
    }

    /** {@code out[r] = a[r] · x}; a [rows, cols], x [cols], out [rows]. */
    public static void matVec(FloatBuffer a, int rows, int cols, float[] x, float[] out) {
        run(Pass.MAT_VEC, null, a, x, out, rows, cols, 16);
    }

    private enum Pass { REMOVE_PARALLEL, NORMALIZE, MAT_VEC }

    private static void run(Pass pass, FloatBuffer g, FloatBuffer w, float[] x, float[] out, int rows, int cols,
                            int grain) {
        Job job = JOB.get();
        job.pass = pass;
        job.g = g;
        job.w = w;
        job.x = x;
        job.out = out;
        job.cols = cols;
        Parallel.runJob(rows, grain, job);
    }

    /** One call of {@link #run}: its arguments and its loop over rows. */
    private static final class Job extends Parallel.Job {
        Pass pass;
        FloatBuffer g; // REMOVE_PARALLEL: the gradient rows
        FloatBuffer w; // the unit rows, the rows to normalise, or the matrix
        float[] x;     // MAT_VEC
        float[] out;   // MAT_VEC
        int cols;

        @Override
        public void run(int from, int to) {
            float[][] s = scratch(cols);
            float[] wr = s[0];
            float[] gr = s[1];
            for (int r = from; r < to; r++) {
                w.get(r * cols, wr, 0, cols);
                switch (pass) {
                    case REMOVE_PARALLEL -> {
                        g.get(r * cols, gr, 0, cols);
                        FloatOps.axpy(-FloatOps.dot(gr, 0, wr, 0, cols), wr, 0, gr, 0, cols);
                        g.put(r * cols, gr, 0, cols);
                    }
                    case NORMALIZE -> {
                        float norm = (float) Math.sqrt(FloatOps.dot(wr, 0, wr, 0, cols));
                        FloatOps.scale(1f / (norm + 1e-12f), wr, 0, cols);
                        w.put(r * cols, wr, 0, cols);
                    }
                    case MAT_VEC -> out[r] = FloatOps.dot(wr, 0, x, 0, cols);
                }
            }
        }

        @Override
        protected void clear() {
            g = null;
            w = null;
            x = null;
            out = null;
        }
    }

    /** Plain reference for {@link #removeParallel}, in double, on heap arrays. */
    public static void removeParallelReference(float[] g, float[] w, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double along = 0;
            for (int c = 0; c < cols; c++) {
                along += (double) g[r * cols + c] * w[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                g[r * cols + c] = (float) (g[r * cols + c] - along * w[r * cols + c]);
            }
        }
    }

    /** Plain reference for {@link #normalize}, in double. */
    public static void normalizeReference(float[] w, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int c = 0; c < cols; c++) {
                sq += (double) w[r * cols + c] * w[r * cols + c];
            }
            double norm = Math.sqrt(sq) + 1e-12;
            for (int c = 0; c < cols; c++) {
                w[r * cols + c] = (float) (w[r * cols + c] / norm);
            }
        }
    }

    /** Plain reference for {@link #matVec}, in double. */
    public static void matVecReference(float[] a, int rows, int cols, float[] x, float[] out) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += (double) a[r * cols + c] * x[c];
            }
            out[r] = (float) s;
        }
    }

    private static float[][] scratch(int cols) {
        float[][] s = SCRATCH.get();
        if (s[0].length < cols) {
            s[0] = new float[cols];
            s[1] = new float[cols];
        }
        return s;
    }
}
