package org.sae4j.trainer;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Dead-latent resampling for standard (ReLU + L1) SAEs, after Anthropic's "Towards Monosemanticity" (Bricken et al.
 * 2023), appendix "Neuron Resampling". At steps {@code every, 2·every, …} (at most {@code resample_events} times):
 * <ol>
 *   <li>the latents that have not fired in the last {@code resample_window_steps} steps are dead;</li>
 *   <li>the SAE reconstructs {@code resample_sample_rows} fresh rows of the source, and each row gets a weight equal
 *       to the square of its reconstruction loss {@code ‖x̂ − x‖²};</li>
 *   <li>one row per dead latent is drawn with probability proportional to its weight (without replacement, by
 *       Efraimidis–Spirakis keys {@code ln(u)/w}: a single pass holding only the rows drawn so far);</li>
 *   <li>with v that row as the encoder sees it ({@code x − b_dec}, or x when b_dec is not subtracted) scaled to unit
 *       norm: {@code W_dec[j] = v}, {@code W_enc[:, j] = 0.2 · mean alive ‖W_enc[:, k]‖ · v},
 *       {@code b_enc[j] = 0};</li>
 *   <li>Adam's moments of every weight so changed are zeroed (the trainer then counts the latent as having just
 *       fired).</li>
 * </ol>
 * Deterministic and resumable without state of its own: the random numbers of an event come from a generator seeded
 * by the run's seed and the step, the dead-latent counters and the data cursor are in every checkpoint already.
 */
final class Resampler {
    /** Anthropic: the new encoder column's norm is this times the mean norm of the alive latents' columns. */
    static final double ENCODER_SCALE = 0.2;

    private final TrainConfig config;

    /** Reads the next training batch (scaled as training sees it) into the workspace's input. */
    @FunctionalInterface
    interface BatchReader {
        void next() throws IOException;
    }

    Resampler(TrainConfig config) {
        this.config = config;
    }

    /** Whether a resampling event falls once {@code stepsDone} steps are done (never after the last step). */
    boolean due(long stepsDone) {
        int every = config.resampleEverySteps();
        return every > 0 && stepsDone > 0 && stepsDone % every == 0 && stepsDone / every <= config.resampleEvents()
                && stepsDone < config.totalSteps();
    }

    /**
     * Resamples the latents whose {@code tokensSinceFired} reach the window; the workspace's buffers are used as
     * scratch (their contents from the last step are gone afterwards).
     *
     * @param tokensSinceFired [dSae] tokens since each latent last fired (read only)
     * @param adamState        [1, 2·nParams] Adam's m then v over the flat parameter vector
     * @return the latents resampled, in increasing order (empty if none was dead or no row had a loss)
     */
    int[] resample(Sae sae, SaeWorkspace ws, BatchReader reader, long[] tokensSinceFired, INDArray adamState,
                   long stepsDone) throws IOException {
        int dSae = sae.config().dSae();
        long window = (long) config.resampleWindow() * config.batchSize();
        int[] dead = new int[dSae];
        int nDead = 0;
        for (int j = 0; j < dSae; j++) {
            if (tokensSinceFired[j] >= window) {
                dead[nDead++] = j;
            }
        }
        if (nDead == 0) {
            return new int[0];
        }
        Draw draw = drawRows(sae, ws, reader, nDead, stepsDone);
        int n = draw.count();
        int[] resampled = Arrays.copyOf(dead, n);
        float alive = meanAliveEncoderNorm(sae, dead, nDead);
        writeLatents(sae, resampled, draw, alive);
        zeroAdamMoments(sae, resampled, adamState);
        return resampled;
    }

    /**
     * Rows drawn for new directions, highest key first: {@code vectors} [count, dIn] each of unit norm.
     */
    private record Draw(float[] vectors, int count) {
    }

    /** One weighted draw without replacement of {@code want} rows over the sample, in a single streaming pass. */
    private Draw drawRows(Sae sae, SaeWorkspace ws, BatchReader reader, int want, long stepsDone)
            throws IOException {
        int dIn = sae.config().dIn();
        int rows = ws.rows();
        boolean centre = sae.config().applyBDecToInput();
        float[] bDec = Nio.get(sae.params().bDec()); // [dIn]
        SplittableRandom random = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + stepsDone);
        double[] keys = new double[want];   // the kept rows' keys ln(u)/w; −∞ for an empty slot
        float[] kept = new float[want * dIn]; // [want, dIn]
        Arrays.fill(keys, Double.NEGATIVE_INFINITY);
        int minSlot = 0;
        int batches = (config.resampleSampleRows() + rows - 1) / rows;
        for (int b = 0; b < batches; b++) {
            reader.next();
            ws.forward();
            float[] x = ws.input();
            float[] xHat = ws.reconstruction();
            for (int r = 0; r < rows; r++) {
                double u = random.nextDouble(); // drawn for every row, so the sequence does not depend on losses
                double loss = 0;
                for (int i = r * dIn; i < (r + 1) * dIn; i++) {
                    double e = xHat[i] - x[i];
                    loss += e * e;
                }
                double weight = loss * loss;
                if (!(weight > 0) || Double.isInfinite(weight)) {
                    continue;
                }
                double key = Math.log(1 - u) / weight; // 1 − u in (0, 1]: ln is finite, key ≤ 0
                if (key > keys[minSlot]) {
                    keys[minSlot] = key;
                    for (int d = 0; d < dIn; d++) {
                        kept[minSlot * dIn + d] = centre ? x[r * dIn + d] - bDec[d] : x[r * dIn + d];
                    }
                    minSlot = argMin(keys);
                }
            }
        }
        Integer[] order = new Integer[want];
        for (int t = 0; t < want; t++) {
            order[t] = t;
        }
        Arrays.sort(order, (a, b) -> Double.compare(keys[b], keys[a]));
        float[] vectors = new float[want * dIn];
        int count = 0;
        for (int t : order) {
            double norm = 0;
            for (int d = 0; d < dIn; d++) {
                norm += (double) kept[t * dIn + d] * kept[t * dIn + d];
            }
            if (keys[t] == Double.NEGATIVE_INFINITY || !(norm > 0)) {
                continue;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dIn; d++) {
                vectors[count * dIn + d] = kept[t * dIn + d] * inv;
            }
            count++;
        }
        return new Draw(vectors, count);
    }

    private static int argMin(double[] keys) {
        int m = 0;
        for (int t = 1; t < keys.length; t++) {
            if (keys[t] < keys[m]) {
                m = t;
            }
        }
        return m;
    }

    /** Mean ‖W_enc[:, k]‖ over the latents not in {@code dead[0..nDead)}; 1 if every latent is dead. */
    private static float meanAliveEncoderNorm(Sae sae, int[] dead, int nDead) {
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        float[] wEnc = Nio.get(sae.params().wEnc()); // [dIn, dSae]
        boolean[] isDead = new boolean[dSae];
        for (int t = 0; t < nDead; t++) {
            isDead[dead[t]] = true;
        }
        double sum = 0;
        int alive = 0;
        for (int j = 0; j < dSae; j++) {
            if (isDead[j]) {
                continue;
            }
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                sq += (double) wEnc[d * dSae + j] * wEnc[d * dSae + j];
            }
            sum += Math.sqrt(sq);
            alive++;
        }
        return alive == 0 ? 1f : (float) (sum / alive);
    }

    /** W_dec[j] = v, W_enc[:, j] = 0.2 · alive · v, b_enc[j] = 0 for the t-th latent and the t-th drawn row. */
    private static void writeLatents(Sae sae, int[] latents, Draw draw, float alive) {
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        SaeParams p = sae.params();
        FloatBuffer wEnc = Nio.floats(p.wEnc()); // [dIn, dSae]
        FloatBuffer bEnc = Nio.floats(p.bEnc()); // [dSae]
        FloatBuffer wDec = Nio.floats(p.wDec()); // [dSae, dIn]
        float encoderNorm = (float) (ENCODER_SCALE * alive);
        for (int t = 0; t < latents.length; t++) {
            int j = latents[t];
            for (int d = 0; d < dIn; d++) {
                float v = draw.vectors()[t * dIn + d];
                wDec.put(j * dIn + d, v);
                wEnc.put(d * dSae + j, encoderNorm * v);
            }
            bEnc.put(j, 0f);
        }
    }

    /**
     * Zeroes Adam's first and second moments (ND4J's state: m over the flat parameters, then v) of W_enc[:, j],
     * b_enc[j] and W_dec[j] for every resampled j, as Anthropic resets the optimizer state of modified weights.
     */
    private static void zeroAdamMoments(Sae sae, int[] latents, INDArray adamState) {
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        long nParams = sae.config().parameterCount();
        long wEncAt = offset(sae, "W_enc");
        long bEncAt = offset(sae, "b_enc");
        long wDecAt = offset(sae, "W_dec");
        FloatBuffer state = Nio.floats(adamState); // [2 · nParams]
        for (long half : new long[] {0, nParams}) {
            for (int j : latents) {
                for (int d = 0; d < dIn; d++) {
                    state.put(Math.toIntExact(half + wEncAt + (long) d * dSae + j), 0f);
                    state.put(Math.toIntExact(half + wDecAt + (long) j * dIn + d), 0f);
                }
                state.put(Math.toIntExact(half + bEncAt + j), 0f);
            }
        }
    }

    /** Where tensor {@code name} starts in the flat parameter vector ({@link SaeParams#layout} order). */
    static long offset(Sae sae, String name) {
        long at = 0;
        for (SaeParams.TensorSpec spec : SaeParams.layout(sae.config())) {
            if (spec.name().equals(name)) {
                return at;
            }
            at += spec.size();
        }
        throw new IllegalArgumentException("no tensor " + name + " in " + SaeParams.layout(sae.config()));
    }
}
