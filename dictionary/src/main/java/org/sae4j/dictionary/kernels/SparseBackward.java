package org.sae4j.dictionary.kernels;

import java.nio.FloatBuffer;

/**
 * The TopK backward over active latents only, O(active·dIn) instead of the dense O(rows·dSae·dIn). For every code
 * set (the main top-k, and AuxK's when it runs) and every active entry (row n, latent j, activation a):
 * <pre>
 *   codeGrad[n,t] = src[n] · W_dec[j]        d loss / d activation; src is d loss / d (what the codes decode to)
 *   dW_dec[j]    += a · src[n]
 *   dW_enc[:, j] += codeGrad[n,t] · xc[n]    through the ReLU (only a > 0 is active) to the pre-activation
 *   db_enc[j]    += codeGrad[n,t]
 * </pre>
 * It walks latents in order ({@link ActiveLatents}): W_dec is read once, front to back, instead of gathered per
 * (row, slot); each latent's dW_dec row and dW_enc column are summed in a tile of {@value #TILE} latents in cache
 * and written once, so the dense gradients need no separate zeroing. dW_enc is [dIn, dSae] (SAELens's layout), so
 * its tile is transposed on the way out and written as {@code dIn} runs of {@value #TILE} floats.
 *
 * <p>Deterministic: every output element has one writer, and sums run in (code set, row) order.
 */
public final class SparseBackward {
    /** Latents per tile: a dW_enc row segment of 64 floats is 4 cache lines; the tiles (2·64·dIn floats) sit in L2. */
    static final int TILE = 64;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {
        new float[0], new float[0], new float[0], new float[4]});

    /**
     * One code set: which latents are active where, their activations, the gradient reaching what they decode to,
     * and where to put the gradient of each activation.
     *
     * @param active   the codes grouped by latent
     * @param val      [rows, width] activations (after the ReLU)
     * @param src      [rows, dIn] d loss / d x̂ (main codes) or d loss / d ê (AuxK)
     * @param codeGrad out: [rows, width] d loss / d activation at active slots (other slots are left alone)
     */
    public record Codes(ActiveLatents active, float[] val, float[] src, float[] codeGrad) {
    }

    private SparseBackward() {
    }

    /**
     * @param main     the main code set
     * @param aux      a second set (AuxK), or null
     * @param wDec     [dSae, dIn]
     * @param xc       [rows, dIn] the encoder's input
     * @param gradBEnc out: [dSae], overwritten
     * @param gradWDec out: [dSae, dIn], overwritten
     * @param gradWEnc out: [dIn, dSae], overwritten
     */
    public static void run(Codes main, Codes aux, float[] wDec, float[] xc, int dIn, int dSae, float[] gradBEnc,
                           FloatBuffer gradWDec, FloatBuffer gradWEnc) {
        int tiles = (dSae + TILE - 1) / TILE;
        Parallel.forRange(tiles, 1, (fromTile, toTile) -> {
            float[][] s = SCRATCH.get();
            if (s[0].length < TILE * dIn) {
                s[0] = new float[TILE * dIn];
                s[1] = new float[TILE * dIn];
                s[2] = new float[TILE * dIn];
            }
            float[] decTile = s[0]; // [TILE, dIn] rows of dW_dec
            float[] encTile = s[1]; // [TILE, dIn] columns of dW_enc
            float[] encOut = s[2];  // [dIn, TILE] the same, transposed for the [dIn, dSae] layout
            float[] dots = s[3];    // [4]
            for (int tile = fromTile; tile < toTile; tile++) {
                int j0 = tile * TILE;
                int width = Math.min(TILE, dSae - j0);
                java.util.Arrays.fill(decTile, 0, width * dIn, 0f);
                java.util.Arrays.fill(encTile, 0, width * dIn, 0f);
                for (int j = j0; j < j0 + width; j++) {
                    int at = (j - j0) * dIn;
                    float b = latent(main, j, wDec, xc, dIn, decTile, encTile, at, dots);
                    if (aux != null) {
                        b += latent(aux, j, wDec, xc, dIn, decTile, encTile, at, dots);
                    }
                    gradBEnc[j] = b;
                }
                gradWDec.put(j0 * dIn, decTile, 0, width * dIn);
                for (int d = 0; d < dIn; d++) {
                    for (int jj = 0; jj < width; jj++) {
                        encOut[d * width + jj] = encTile[jj * dIn + d];
                    }
                }
                for (int d = 0; d < dIn; d++) {
                    gradWEnc.put(d * dSae + j0, encOut, d * width, width);
                }
            }
        });
    }

    /**
     * One latent's entries in one code set, four rows at a time (see {@link FloatOps#dot4}: the rows are scattered
     * over the batch, and four streams keep four misses in flight); returns its contribution to db_enc[j].
     */
    private static float latent(Codes codes, int j, float[] wDec, float[] xc, int dIn, float[] decTile,
                                float[] encTile, int at, float[] dots) {
        ActiveLatents active = codes.active();
        float[] src = codes.src();
        float[] val = codes.val();
        float[] codeGrad = codes.codeGrad();
        float bEncGrad = 0f;
        int e = active.start(j);
        int end = active.start(j + 1);
        for (; e + 4 <= end; e += 4) {
            int n0 = active.row(e) * dIn;
            int n1 = active.row(e + 1) * dIn;
            int n2 = active.row(e + 2) * dIn;
            int n3 = active.row(e + 3) * dIn;
            FloatOps.dot4(src, n0, n1, n2, n3, wDec, j * dIn, dIn, dots);
            for (int q = 0; q < 4; q++) {
                codeGrad[active.slot(e + q)] = dots[q];
                bEncGrad += dots[q];
            }
            FloatOps.axpy4(val[active.slot(e)], n0, val[active.slot(e + 1)], n1, val[active.slot(e + 2)], n2,
                    val[active.slot(e + 3)], n3, src, decTile, at, dIn);
            FloatOps.axpy4(dots[0], n0, dots[1], n1, dots[2], n2, dots[3], n3, xc, encTile, at, dIn);
        }
        for (; e < end; e++) {
            int n = active.row(e) * dIn;
            int slot = active.slot(e);
            float dv = FloatOps.dot(src, n, wDec, j * dIn, dIn);
            codeGrad[slot] = dv;
            FloatOps.axpy(val[slot], src, n, decTile, at, dIn);
            FloatOps.axpy(dv, xc, n, encTile, at, dIn);
            bEncGrad += dv;
        }
        return bEncGrad;
    }

    /**
     * Dense reference, in double: expands each code set to [rows, dSae] and forms every product in full.
     * {@code idx/val/width/src} per code set as parallel arrays; writes codeGrad (all slots; 0 where inactive),
     * gradBEnc [dSae], gradWDec [dSae, dIn], gradWEnc [dIn, dSae].
     */
    public static void reference(int[][] idx, float[][] val, int[] width, float[][] src, float[][] codeGrad,
                                 float[] wDec, float[] xc, int rows, int dIn, int dSae, float[] gradBEnc,
                                 float[] gradWDec, float[] gradWEnc) {
        double[] dPre = new double[rows * dSae]; // d loss / d pre, dense
        double[] wd = new double[dSae * dIn];
        for (int set = 0; set < idx.length; set++) {
            int w = width[set];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < w; t++) {
                    int i = r * w + t;
                    int j = idx[set][i];
                    if (j < 0 || !(val[set][i] > 0f)) {
                        codeGrad[set][i] = 0f;
                        continue;
                    }
                    double dv = 0;
                    for (int d = 0; d < dIn; d++) {
                        dv += (double) src[set][r * dIn + d] * wDec[j * dIn + d];
                    }
                    codeGrad[set][i] = (float) dv;
                    dPre[r * dSae + j] += dv;
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
