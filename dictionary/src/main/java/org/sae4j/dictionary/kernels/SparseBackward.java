package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The TopK backward over active latents only, O(active·dIn) instead of the dense O(rows·dSae·dIn). For every code
 * set (the main top-k, and AuxK's when it runs) and every active entry (row n, latent j, activation a, its gradient
 * codeGrad = src[n] · W_dec[j], already computed row-wise by {@link SparseOps#decodeWithGrad}):
 * <pre>
 *   dW_dec[j]    += a · src[n]                src is d loss / d (what the codes decode to)
 *   dW_enc[:, j] += codeGrad[n,t] · xc[n]     through the ReLU (only a > 0 is active) to the pre-activation
 *   db_enc[j]    += codeGrad[n,t]
 * </pre>
 * It walks latents in order ({@link ActiveLatents}): each latent's dW_dec row and dW_enc column are summed in a
 * tile of {@value #TILE} latents in cache and written once, so the dense gradients need no separate zeroing.
 * dW_enc is [dIn, dSae] (SAELens's layout), so its tile is transposed on the way out (SIMD: gathers from the tile
 * in cache, one vector store per row) and written as {@code dIn} runs of {@value #TILE} floats.
 *
 * <p>Deterministic: every output element has one writer, and sums run in (code set, row) order.
 */
public final class SparseBackward {
    /** Latents per tile: a dW_enc row segment of 64 floats is 4 cache lines; the tiles (2·64·dIn floats) sit in L2. */
    static final int TILE = 64;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);
    /** Per thread, the gather map of {@link VectorFloatOps#putTransposed} for the last dIn (lane l reads l·dIn). */
    private static final ThreadLocal<int[]> GATHER_MAP = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * One code set: which latents are active where, their activations, the gradient reaching what they decode to,
     * and where to put the gradient of each activation.
     *
     * @param active   the codes grouped by latent
     * @param val      [rows, width] activations (after the ReLU)
     * @param src      [rows, dIn] d loss / d x̂ (main codes) or d loss / d ê (AuxK)
     * @param codeGrad [rows, width] d loss / d activation
     */
    public record Codes(ActiveLatents active, float[] val, float[] src, float[] codeGrad) {
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
    public static void run(Codes main, Codes aux, float[] xc, int dIn, int dSae, float[] gradBEnc,
                           FloatBuffer gradWDec, ByteBuffer gradWEnc) {
        run(aux == null ? new Codes[] {main} : new Codes[] {main, aux}, xc, dIn, dSae, gradBEnc, gradWDec, gradWEnc);
    }

    /**
     * Any number of code sets, each with its own source gradient (a Matryoshka SAE's levels: one set per level,
     * each reading the gradient of the prefixes that level feeds), summed per latent in the order given.
     */
    public static void run(Codes[] sets, float[] xc, int dIn, int dSae, float[] gradBEnc, FloatBuffer gradWDec,
                           ByteBuffer gradWEnc) {
        int tiles = (dSae + TILE - 1) / TILE;
        Parallel.forRange(tiles, 1, (fromTile, toTile) -> {
            float[][] s = SCRATCH.get();
            if (s[0].length < TILE * dIn) {
                s[0] = new float[TILE * dIn];
                s[1] = new float[TILE * dIn];
                s[2] = new float[TILE * dIn];
            }
            int[] gatherMap = GATHER_MAP.get();
            if (FloatOps.SIMD && (gatherMap.length == 0 || gatherMap[1] != dIn)) {
                gatherMap = VectorFloatOps.transposeMap(dIn);
                GATHER_MAP.set(gatherMap);
            }
            float[] decTile = s[0]; // [TILE, dIn] rows of dW_dec
            float[] encTile = s[1]; // [TILE, dIn] columns of dW_enc
            float[] encOut = s[2];  // [dIn, TILE] the same, transposed for the [dIn, dSae] layout
            for (int tile = fromTile; tile < toTile; tile++) {
                int j0 = tile * TILE;
                int width = Math.min(TILE, dSae - j0);
                java.util.Arrays.fill(decTile, 0, width * dIn, 0f);
                java.util.Arrays.fill(encTile, 0, width * dIn, 0f);
                for (int j = j0; j < j0 + width; j++) {
                    int at = (j - j0) * dIn;
                    float b = 0f;
                    for (Codes set : sets) {
                        b += latent(set, j, xc, dIn, decTile, encTile, at);
                    }
                    gradBEnc[j] = b;
                }
                gradWDec.put(j0 * dIn, decTile, 0, width * dIn);
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
        });
    }

    /**
     * One latent's entries in one code set, four rows at a time, dW_dec's and dW_enc's together (see
     * {@link FloatOps#axpy4Pair}: the rows are scattered over the batch, and eight streams keep eight misses in
     * flight); returns its contribution to db_enc[j]. A last group of fewer than four is padded with its own last
     * row at weight 0, which adds exactly nothing to a finite tile.
     */
    private static float latent(Codes codes, int j, float[] xc, int dIn, float[] decTile, float[] encTile, int at) {
        ActiveLatents active = codes.active();
        float[] src = codes.src();
        float[] val = codes.val();
        float[] codeGrad = codes.codeGrad();
        float bEncGrad = 0f;
        int end = active.start(j + 1);
        for (int e = active.start(j); e < end; e += 4) {
            int last = Math.min(e + 4, end) - 1;
            int s0 = active.slot(e);
            int s1 = active.slot(Math.min(e + 1, last));
            int s2 = active.slot(Math.min(e + 2, last));
            int s3 = active.slot(last);
            float a1 = e + 1 <= last ? val[s1] : 0f;
            float a2 = e + 2 <= last ? val[s2] : 0f;
            float a3 = e + 3 <= last ? val[s3] : 0f;
            float b1 = e + 1 <= last ? codeGrad[s1] : 0f;
            float b2 = e + 2 <= last ? codeGrad[s2] : 0f;
            float b3 = e + 3 <= last ? codeGrad[s3] : 0f;
            FloatOps.axpy4Pair(val[s0], a1, a2, a3, codeGrad[s0], b1, b2, b3, active.row(e) * dIn,
                    active.row(Math.min(e + 1, last)) * dIn, active.row(Math.min(e + 2, last)) * dIn,
                    active.row(last) * dIn, src, decTile, xc, encTile, at, dIn);
            bEncGrad += codeGrad[s0];
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
