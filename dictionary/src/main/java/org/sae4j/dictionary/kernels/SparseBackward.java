package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The TopK backward over active latents only, O(active·dIn) instead of the dense O(rows·dSae·dIn). For every code
 * set (the main top-k, and AuxK's when it runs) and every active entry (row n, latent j, activation a):
 * <pre>
 *   codeGrad     = src[n] · W_dec[j]          d loss / d a; given, or formed here (Codes#codeGradDue)
 *   dW_dec[j]    += a · src[n]                src is d loss / d (what the codes decode to)
 *   dW_enc[:, j] += codeGrad · xc[n]          through the ReLU (only a > 0 is active) to the pre-activation
 *   db_enc[j]    += codeGrad
 * </pre>
 * It walks latents in order ({@link ActiveLatents}), in two passes: dW_dec's (with the code gradients, and the
 * tangent projection when asked), then dW_enc's. Each latent's dW_dec row or dW_enc column is summed in a tile of
 * {@value #TILE} latents in cache and written once, so the dense gradients need no separate zeroing. dW_enc is
 * [dIn, dSae] (SAELens's layout), so its tile is transposed on the way out (SIMD: gathers from the tile in cache,
 * one vector store per row) and written as {@code dIn} runs of {@value #TILE} floats.
 *
 * <p>Deterministic: every output element has one writer, and sums run in (code set, row) order.
 */
public final class SparseBackward {
    /** Latents per tile: a dW_enc row segment of 64 floats is 4 cache lines; the tiles (2·64·dIn floats) sit in L2. */
    static final int TILE = 64;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);
    /** Per thread, the gather map of {@link VectorFloatOps#putTransposed} for the last dIn (lane l reads l·dIn). */
    private static final ThreadLocal<int[]> GATHER_MAP = ThreadLocal.withInitial(() -> new int[0]);
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    /**
     * One code set: which latents are active where, their activations, the gradient reaching what they decode to,
     * and where to put the gradient of each activation.
     *
     * @param active   the codes grouped by latent
     * @param val      [rows, width] activations (after the ReLU)
     * @param src      [rows, dIn] d loss / d x̂ (main codes) or d loss / d ê (AuxK)
     * @param codeGrad [rows, width] d loss / d activation = src[n] · W_dec[j]
     * @param codeGradDue whether {@code codeGrad} is still to be computed: the backward then forms each entry's
     *                    dot product in its dW_dec pass, from the src row it gathers anyway (see
     *                    {@link SparseOps#decodeWithGrad}, which can leave it out)
     */
    public record Codes(ActiveLatents active, float[] val, float[] src, float[] codeGrad, boolean codeGradDue) {
        /** A code set whose code gradients are already in {@code codeGrad}. */
        public Codes(ActiveLatents active, float[] val, float[] src, float[] codeGrad) {
            this(active, val, src, codeGrad, false);
        }
    }

    private SparseBackward() {
    }

    /**
     * @param main     the main code set
     * @param aux      a second set (AuxK), or null
     * @param xc       [rows, dIn] the encoder's input
     * @param gradBEnc out: [dSae], overwritten
     * @param gradWDec out: [dSae, dIn], overwritten
     * @param gradWEnc out: [dIn, dSae], overwritten; a little-endian native view ({@link Nio#bytes})
     */
    public static boolean run(Codes main, Codes aux, float[] xc, int dIn, int dSae, float[] gradBEnc,
                              FloatBuffer gradWDec, ByteBuffer gradWEnc) {
        return run(aux == null ? new Codes[] {main} : new Codes[] {main, aux}, xc, dIn, dSae, gradBEnc, gradWDec,
                gradWEnc);
    }

    /**
     * Any number of code sets, each with its own source gradient (a Matryoshka SAE's levels: one set per level,
     * each reading the gradient of the prefixes that level feeds), summed per latent in the order given.
     */
    public static boolean run(Codes[] sets, float[] xc, int dIn, int dSae, float[] gradBEnc, FloatBuffer gradWDec,
                              ByteBuffer gradWEnc) {
        return run(sets, xc, dIn, dSae, null, false, gradBEnc, gradWDec, gradWEnc);
    }

    /**
     * The backward with the decoder at hand: {@code wDec} [dSae, dIn] (needed when a set's code gradients are
     * due, see {@link Codes#codeGradDue}); with {@code tangentDecoderGrad} each dW_dec row also loses its component
     * along its (unit) decoder row while it is in cache, as {@link RowOps#removeParallel} would do after (the same
     * operations, so the same bits).
     *
     * <p>Two passes over the latents, dW_dec's then dW_enc's, rather than one that builds both: each pass gathers
     * rows from one [rows, dIn] batch array (d loss / d x̂, then xc), so the rows being gathered fit the shared L3
     * twice as well as when both arrays are read together; and the first pass leaves the code gradients the
     * second needs.
     *
     * <p>Returns whether every element written to dW_dec and dW_enc is finite (each tile is checked in cache before
     * it goes out; gradBEnc is the caller's to check), so a trainer need not read the gradient again to know.
     */
    public static boolean run(Codes[] sets, float[] xc, int dIn, int dSae, float[] wDec, boolean tangentDecoderGrad,
                           float[] gradBEnc, FloatBuffer gradWDec, ByteBuffer gradWEnc) {
        for (Codes set : sets) {
            if (set.codeGradDue() && wDec == null) {
                throw new IllegalArgumentException("code gradients are due but no decoder was given");
            }
        }
        if (tangentDecoderGrad && wDec == null) {
            throw new IllegalArgumentException("the tangent projection needs the decoder");
        }
        int tiles = (dSae + TILE - 1) / TILE;
        Job job = JOB.get();
        job.sets = sets;
        job.xc = xc;
        job.dIn = dIn;
        job.dSae = dSae;
        job.wDec = wDec;
        job.tangentDecoderGrad = tangentDecoderGrad;
        job.gradBEnc = gradBEnc;
        job.gradWDec = gradWDec;
        job.gradWEnc = gradWEnc;
        job.nonFinite = false;
        try {
            job.encoderPass = false;
            Parallel.forRange(tiles, 1, job);
            job.encoderPass = true;
            Parallel.forRange(tiles, 1, job);
            return !job.nonFinite;
        } finally {
            job.clear();
        }
    }

    /** One call of {@link #run}: its arguments and its loop over tiles of latents, for each of the two passes. */
    private static final class Job extends Parallel.Job {
        Codes[] sets;
        float[] xc;
        int dIn;
        int dSae;
        float[] wDec;
        boolean tangentDecoderGrad;
        float[] gradBEnc;
        FloatBuffer gradWDec;
        ByteBuffer gradWEnc;
        boolean encoderPass; // dW_enc's pass, else dW_dec's
        boolean nonFinite;   // set by any thread that writes a NaN or an infinity; read after the passes

        @Override
        public void run(int fromTile, int toTile) {
            if (encoderPass) {
                encoderTiles(fromTile, toTile);
            } else {
                decoderTiles(fromTile, toTile);
            }
        }

        private void decoderTiles(int fromTile, int toTile) {
            float[][] s = scratch(dIn);
            float[] decTile = s[0]; // [TILE, dIn] rows of dW_dec
            for (int tile = fromTile; tile < toTile; tile++) {
                int j0 = tile * TILE;
                int width = Math.min(TILE, dSae - j0);
                java.util.Arrays.fill(decTile, 0, width * dIn, 0f);
                for (int j = j0; j < j0 + width; j++) {
                    int at = (j - j0) * dIn;
                    for (Codes set : sets) {
                        decoderRow(set, j, dIn, wDec, decTile, at, s[3]);
                    }
                    if (tangentDecoderGrad && anyEntry(sets, j)) {
                        FloatOps.axpy(-FloatOps.dot(decTile, at, wDec, j * dIn, dIn), wDec, j * dIn, decTile, at,
                                dIn);
                    }
                }
                if (!FloatOps.allFinite(decTile, 0, width * dIn)) {
                    nonFinite = true;
                }
                gradWDec.put(j0 * dIn, decTile, 0, width * dIn);
            }
        }

        private void encoderTiles(int fromTile, int toTile) {
            float[][] s = scratch(dIn);
            int[] gatherMap = GATHER_MAP.get();
            if (FloatOps.SIMD && (gatherMap.length == 0 || gatherMap[1] != dIn)) {
                gatherMap = VectorFloatOps.transposeMap(dIn);
                GATHER_MAP.set(gatherMap);
            }
            float[] encTile = s[1]; // [TILE, dIn] columns of dW_enc
            float[] encOut = s[2];  // [dIn, TILE] the same, transposed for the [dIn, dSae] layout
            for (int tile = fromTile; tile < toTile; tile++) {
                int j0 = tile * TILE;
                int width = Math.min(TILE, dSae - j0);
                java.util.Arrays.fill(encTile, 0, width * dIn, 0f);
                for (int j = j0; j < j0 + width; j++) {
                    int at = (j - j0) * dIn;
                    float b = 0f;
                    for (Codes set : sets) {
                        b += encoderRow(set, j, xc, dIn, encTile, at);
                    }
                    gradBEnc[j] = b;
                }
                if (!FloatOps.allFinite(encTile, 0, width * dIn)) {
                    nonFinite = true;
                }
                int done = FloatOps.SIMD
                        ? VectorFloatOps.putTransposed(encTile, width, dIn, gradWEnc, dSae, j0, gatherMap) : 0;
                int rest = width - done;
                if (rest > 0) {
                    FloatBuffer gradWEncFloats = gradWEnc.asFloatBuffer();
                    for (int d = 0; d < dIn; d++) {
                        for (int jj = 0; jj < rest; jj++) {
                            encOut[d * rest + jj] = encTile[(done + jj) * dIn + d];
                        }
                    }
                    for (int d = 0; d < dIn; d++) {
                        gradWEncFloats.put(d * dSae + j0 + done, encOut, d * rest, rest);
                    }
                }
            }
        }

        @Override
        protected void clear() {
            sets = null;
            xc = null;
            wDec = null;
            gradBEnc = null;
            gradWDec = null;
            gradWEnc = null;
        }
    }

    /** Whether latent j has an entry in any code set: a row no entry touched stays exactly zero, projected or not. */
    private static boolean anyEntry(Codes[] sets, int j) {
        for (Codes set : sets) {
            if (set.active().start(j + 1) > set.active().start(j)) {
                return true;
            }
        }
        return false;
    }

    /** This thread's tiles, [TILE, dIn] each, grown on first use and kept. */
    private static float[][] scratch(int dIn) {
        float[][] s = SCRATCH.get();
        if (s[0].length < TILE * dIn) {
            s[0] = new float[TILE * dIn];
            s[1] = new float[TILE * dIn];
            s[2] = new float[TILE * dIn];
            s[3] = new float[4];
        }
        return s;
    }

    /**
     * One latent's entries in one code set, four rows at a time: {@code dW_dec[j] += a · src[n]}, and, when the set's
     * code gradients are due, {@code codeGrad = src[n] · W_dec[j]} in the same pass over the four rows. A last group
     * of fewer than four is padded with its own last row at weight 0, which adds exactly nothing to a finite tile.
     */
    private static void decoderRow(Codes codes, int j, int dIn, float[] wDec, float[] decTile, int at,
                                   float[] dots) {
        ActiveLatents active = codes.active();
        float[] src = codes.src();
        float[] val = codes.val();
        float[] codeGrad = codes.codeGrad();
        int end = active.start(j + 1);
        for (int e = active.start(j); e < end; e += 4) {
            int last = Math.min(e + 4, end) - 1;
            float a1 = e + 1 <= last ? val[active.slot(e + 1)] : 0f;
            float a2 = e + 2 <= last ? val[active.slot(e + 2)] : 0f;
            float a3 = e + 3 <= last ? val[active.slot(last)] : 0f;
            int x0 = active.row(e) * dIn;
            int x1 = active.row(Math.min(e + 1, last)) * dIn;
            int x2 = active.row(Math.min(e + 2, last)) * dIn;
            int x3 = active.row(last) * dIn;
            if (codes.codeGradDue()) {
                FloatOps.axpy4Dot4(val[active.slot(e)], x0, a1, x1, a2, x2, a3, x3, src, decTile, at, wDec, j * dIn,
                        dIn, dots);
                for (int q = 0; q <= last - e; q++) {
                    codeGrad[active.slot(e + q)] = dots[q];
                }
            } else {
                FloatOps.axpy4(val[active.slot(e)], x0, a1, x1, a2, x2, a3, x3, src, decTile, at, dIn);
            }
        }
    }

    /**
     * One latent's entries in one code set, four rows at a time: {@code dW_enc[:, j] += codeGrad · xc[n]}; returns
     * its contribution to db_enc[j], the sum of the code gradients in entry order.
     */
    private static float encoderRow(Codes codes, int j, float[] xc, int dIn, float[] encTile, int at) {
        ActiveLatents active = codes.active();
        float[] codeGrad = codes.codeGrad();
        float bEncGrad = 0f;
        int end = active.start(j + 1);
        for (int e = active.start(j); e < end; e += 4) {
            int last = Math.min(e + 4, end) - 1;
            float b0 = codeGrad[active.slot(e)];
            float b1 = e + 1 <= last ? codeGrad[active.slot(e + 1)] : 0f;
            float b2 = e + 2 <= last ? codeGrad[active.slot(e + 2)] : 0f;
            float b3 = e + 3 <= last ? codeGrad[active.slot(last)] : 0f;
            FloatOps.axpy4(b0, active.row(e) * dIn, b1, active.row(Math.min(e + 1, last)) * dIn,
                    b2, active.row(Math.min(e + 2, last)) * dIn, b3, active.row(last) * dIn, xc, encTile, at, dIn);
            bEncGrad += b0;
            bEncGrad += b1;
            bEncGrad += b2;
            bEncGrad += b3;
        }
        return bEncGrad;
    }

    /**
     * Dense reference, in double: expands each code set's gradients to a dense d loss / d pre [rows, dSae] and forms
     * every product in full. {@code idx/val/width/src/codeGrad} per code set as parallel arrays; writes gradBEnc
     * [dSae], gradWDec [dSae, dIn], gradWEnc [dIn, dSae].
     */
    public static void reference(int[][] idx, float[][] val, int[] width, float[][] src, float[][] codeGrad,
                                 float[] xc, int rows, int dIn, int dSae, float[] gradBEnc, float[] gradWDec,
                                 float[] gradWEnc) {
        double[] dPre = new double[rows * dSae];
        double[] wd = new double[dSae * dIn];
        for (int set = 0; set < idx.length; set++) {
            int w = width[set];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < w; t++) {
                    int i = r * w + t;
                    int j = idx[set][i];
                    if (j < 0 || !(val[set][i] > 0f)) {
                        continue; // ReLU: no gradient where the activation is zero
                    }
                    dPre[r * dSae + j] += codeGrad[set][i];
                    for (int d = 0; d < dIn; d++) {
                        wd[j * dIn + d] += (double) val[set][i] * src[set][r * dIn + d];
                    }
                }
            }
        }
        for (int j = 0; j < dSae; j++) {
            double b = 0;
            for (int r = 0; r < rows; r++) {
                b += dPre[r * dSae + j];
            }
            gradBEnc[j] = (float) b;
            for (int d = 0; d < dIn; d++) {
                gradWDec[j * dIn + d] = (float) wd[j * dIn + d];
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += (double) xc[r * dIn + d] * dPre[r * dSae + j];
                }
                gradWEnc[d * dSae + j] = (float) s;
            }
        }
    }
}
