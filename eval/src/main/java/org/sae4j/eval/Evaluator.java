package org.sae4j.eval;

import java.io.IOException;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.NonFiniteRowException;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;

/** Runs a saved SAE over held-out activations and computes {@link EvalResult}. */
public final class Evaluator {
    /** Called after each batch with tokens done so far (the CLI draws progress from it). */
    @FunctionalInterface
    public interface Progress {
        void tokensDone(long tokens);
    }

    private Evaluator() {
    }

    /**
     * @param tokens      how many rows to evaluate, read from the source's current position
     * @param batchSize   rows per forward pass
     * @param groundTruth [nTrue, dIn] true features for synthetic sources, or null
     */
    public static EvalResult evaluate(Sae sae, ActivationSource source, long tokens, int batchSize,
                                      float[] groundTruth, Progress progress) throws IOException {
        int dIn = sae.config().dIn();
        if (source.dIn() != dIn) {
            throw new BadInputException("the source's vectors have d_in = " + source.dIn()
                    + " but the SAE has d_in = " + dIn);
        }
        ReconstructionStats stats = new ReconstructionStats(dIn, sae.config().dSae());
        SaeWorkspace full = new SaeWorkspace(sae, (int) Math.min(batchSize, tokens));
        SaeWorkspace tail = null;
        while (stats.tokens() < tokens) {
            int rows = (int) Math.min(full.rows(), tokens - stats.tokens());
            SaeWorkspace ws = full;
            if (rows < full.rows()) {
                tail = tail == null ? new SaeWorkspace(sae, rows) : tail;
                ws = tail;
            }
            long first = source.position();
            source.next(ws.input(), rows);
            requireFinite(ws.input(), dIn, first);
            ws.forward();
            int[] l0 = new int[rows];
            double[] l1 = new double[rows];
            for (int r = 0; r < rows; r++) {
                l0[r] = ws.l0(r);
                l1[r] = ws.l1(r);
            }
            ws.forEachActive((row, latent, activation) -> stats.fired(latent));
            stats.add(ws.input(), ws.reconstruction(), rows, l0, l1);
            progress.tokensDone(stats.tokens());
        }
        EvalResult.Reconstruction r = stats.result();
        GroundTruthRecovery recovery = groundTruth == null ? null
                : GroundTruthRecovery.of(groundTruth, groundTruth.length / dIn, Nio.get(sae.params().wDec()),
                        sae.config().dSae(), dIn);
        return new EvalResult(r, FrequencyHistogram.of(r.firingFrequency()), recovery);
    }

    private static void requireFinite(float[] x, int dIn, long firstRow) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new NonFiniteRowException("activation row " + (firstRow + i / dIn) + " holds "
                        + x[i] + " at column " + (i % dIn));
            }
        }
    }
}
