package org.sae4j.dictionary;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.kernels.Gemm;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.Parallel;
import org.sae4j.dictionary.kernels.RowOps;

/**
 * The forward and backward of one architecture over a batch of exactly {@code rows} rows, with every buffer
 * allocated once. What all architectures share lives here: the centred input and the encoder GEMM, the gradient of
 * the reconstruction term, and the bias gradients. {@link SaeWorkspace} is the public face.
 */
abstract sealed class Pass permits SparsePass, StandardPass, GatedPass, JumpReLUPass {
    final Sae sae;
    final int rows;
    final int dIn;
    final int dSae;

    final float[] x;        // [rows, dIn] input, filled by the caller
    final float[] xHat;     // [rows, dIn] reconstruction
    final float[] xc;       // [rows, dIn] encoder input x − b_dec
    final float[] bDec;     // [dIn]
    final float[] g;        // [rows, dIn] d loss / d x̂
    final float[] gradBDec; // [dIn]
    final float[] gradBEnc; // [dSae]
    final double[] rowSum;  // [rows] per-row partial sums, added in row order (deterministic)
    final float[] viaEncoder; // [dIn] W_enc · gradBEnc
    final INDArray xcNd;    // [rows, dIn]
    final INDArray preNd;   // [rows, dSae] the encoder GEMM's output, without b_enc
    final ByteBuffer pre;   // live little-endian view of preNd
    private final Gemm encoder; // preNd = xcNd · W_enc
    // Views of the SAE's parameters, and of the gradient last written (see viewGradient), made once: a NIO view is
    // a few objects, and a step should allocate none.
    final FloatBuffer bDecView;
    final FloatBuffer bEncView;
    final FloatBuffer wEncView;
    final FloatBuffer wDecView;
    private SaeParams gradViewsOf;
    private FloatBuffer gradBEncView;
    private FloatBuffer gradBDecView;
    FloatBuffer gradWDecView;
    ByteBuffer gradWEncView;
    FloatBuffer gradThresholdView; // null unless the SAE has a threshold (JumpReLU, BatchTopK)
    private final FloatBuffer xcView;
    /**
     * Whether the last backward saw every element of the gradient it wrote to be finite. Only passes whose kernels
     * check as they write set it (TopK's, BatchTopK's); the others leave it false: not known.
     */
    boolean gradientFinite;
    // The parallel loop bodies, bound once (a lambda capturing locals is a new object on every call).
    private final Parallel.RangeBody centreRows = this::centreRows;
    private final Parallel.RangeBody reconstructionGradRows = this::reconstructionGradRows;
    private final Parallel.RangeBody sumDecoderBiasGradColumns = this::sumDecoderBiasGrad;

    Pass(Sae sae, int rows) {
        this.sae = sae;
        this.rows = rows;
        this.dIn = sae.config().dIn();
        this.dSae = sae.config().dSae();
        int n = Math.multiplyExact(rows, dIn);
        this.x = new float[n];
        this.xHat = new float[n];
        this.xc = new float[n];
        this.g = new float[n];
        this.bDec = new float[dIn];
        this.gradBDec = new float[dIn];
        this.gradBEnc = new float[dSae];
        this.rowSum = new double[rows];
        this.viaEncoder = new float[dIn];
        this.xcNd = Nd4j.create(DataType.FLOAT, rows, dIn);
        if (4L * rows * dSae > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + rows + " rows × " + dSae + " latents is over 2 GiB of"
                    + " pre-activations (NIO views index with int); use a smaller batch");
        }
        this.preNd = Nd4j.create(DataType.FLOAT, rows, dSae);
        this.pre = Nio.bytes(preNd);
        SaeParams p = sae.params();
        this.encoder = Gemm.of(xcNd, p.wEnc(), preNd, false, false);
        this.bDecView = Nio.floats(p.bDec());
        this.bEncView = p.bEnc() == null ? null : Nio.floats(p.bEnc()); // gated SAEs have b_gate and b_mag instead
        this.wEncView = Nio.floats(p.wEnc());
        this.wDecView = Nio.floats(p.wDec());
        this.xcView = Nio.floats(xcNd);
    }

    abstract void forward();

    /** The backward ({@link SaeWorkspace#backward}); the loss by term goes into {@code out}. */
    abstract void backward(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out);

    /**
     * The backward, then each decoder row's gradient projected off the row ({@link Sae#removeParallelDecoderGrad}).
     * The sparse passes ({@link SparsePass}) project each row inside their backward while it is in cache, which
     * gives the same bits and saves a pass over W_dec and its gradient.
     */
    void backwardTangent(TrainingLoss loss, boolean[] dead, SaeParams grad, TrainingLoss.Parts out) {
        backward(loss, dead, grad, out);
        sae.removeParallelDecoderGrad(grad);
    }

    abstract int l0(int r);

    abstract double l1(int r);

    abstract void forEachActive(SaeWorkspace.ActiveVisitor visitor);

    /** xc = x − b_dec (or x), then preNd = xc · W_enc: the one dense product every architecture pays. */
    final void encodeWithoutBias() {
        bDecView.get(0, bDec);
        Parallel.forRange(rows, centreRows);
        xcView.put(0, xc);
        encoder.run(); // [rows, dSae]
    }

    private void centreRows(int from, int to) {
        boolean centre = sae.config().applyBDecToInput();
        for (int i = from * dIn; i < to * dIn; i += dIn) {
            for (int d = 0; d < dIn; d++) {
                xc[i + d] = centre ? x[i + d] - bDec[d] : x[i + d];
            }
        }
    }

    /**
     * g = d mean_n ‖x̂_n − x_n‖² / d x̂ = 2 (x̂ − x) / rows, and gradBDec = Σ_n g_n (the decoder bias's direct path).
     * Returns the mean squared error.
     */
    final double reconstructionGrad() {
        Parallel.forRange(rows, reconstructionGradRows);
        sumDecoderBiasGrad();
        return sumRows() / rows;
    }

    /** g = 2 (x̂ − x) / rows and rowSum[r] = ‖x̂_r − x_r‖², for rows [from, to). */
    private void reconstructionGradRows(int from, int to) {
        float scale = 2f / rows;
        for (int r = from; r < to; r++) {
            double sq = 0;
            for (int i = r * dIn; i < (r + 1) * dIn; i++) {
                float diff = xHat[i] - x[i];
                sq += (double) diff * diff;
                g[i] = scale * diff;
            }
            rowSum[r] = sq;
        }
    }

    /** gradBDec = Σ_n g_n, summed in row order per column. */
    final void sumDecoderBiasGrad() {
        Parallel.forRange(dIn, 64, sumDecoderBiasGradColumns);
    }

    private void sumDecoderBiasGrad(int from, int to) {
        java.util.Arrays.fill(gradBDec, from, to, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * dIn;
            for (int d = from; d < to; d++) {
                gradBDec[d] += g[o + d];
            }
        }
    }

    /** Σ_r rowSum[r], in row order. */
    final double sumRows() {
        double s = 0;
        for (int r = 0; r < rows; r++) {
            s += rowSum[r];
        }
        return s;
    }

    /**
     * Writes gradBEnc and gradBDec into {@code grad}. When the encoder sees x − b_dec, b_dec also receives
     * −W_enc · Σ_n d loss / d pre_n = −W_enc · gradBEnc.
     */
    final void writeBiasGrads(SaeParams grad) {
        if (sae.config().applyBDecToInput()) {
            RowOps.matVec(wEncView, dIn, dSae, gradBEnc, viaEncoder); // [dIn]
            for (int d = 0; d < dIn; d++) {
                gradBDec[d] -= viaEncoder[d];
            }
        }
        viewGradient(grad);
        gradBEncView.put(0, gradBEnc);
        gradBDecView.put(0, gradBDec);
    }

    /** Makes the views of {@code grad}'s tensors, once per gradient: the trainer passes the same one every step. */
    final void viewGradient(SaeParams grad) {
        if (grad != gradViewsOf) {
            gradViewsOf = grad;
            gradBEncView = grad.bEnc() == null ? null : Nio.floats(grad.bEnc());
            gradBDecView = Nio.floats(grad.bDec());
            gradWDecView = Nio.floats(grad.wDec());
            gradWEncView = Nio.bytes(grad.wEnc());
            gradThresholdView = grad.threshold() == null ? null : Nio.floats(grad.threshold());
        }
    }
}
