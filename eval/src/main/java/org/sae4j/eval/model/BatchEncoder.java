package org.sae4j.eval.model;

import java.util.Arrays;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeWorkspace;

/**
 * Runs the SAE over any number of rows through one {@link SaeWorkspace} of fixed size: rows go in chunks of
 * {@code chunkRows}, the last chunk padded with zero rows whose codes are dropped. The workspace's forward is the
 * one training and {@code sae4j eval} use, so spliced reconstructions are exactly what the SAE computes elsewhere.
 */
final class BatchEncoder {
    private final SaeWorkspace workspace;
    private final int chunk;
    private final int dIn;

    BatchEncoder(Sae sae, int chunkRows) {
        this.workspace = new SaeWorkspace(sae, chunkRows);
        this.chunk = chunkRows;
        this.dIn = sae.config().dIn();
    }

    /** Encodes and decodes {@code x} [n, dIn]. */
    Codes encode(float[] x, int n) {
        float[] xHat = new float[n * dIn]; // [n, dIn]
        int[] start = new int[n + 1];
        Entries entries = new Entries(n * 4);
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            int base = from;
            float[] in = workspace.input(); // [chunk, dIn]
            System.arraycopy(x, from * dIn, in, 0, m * dIn);
            Arrays.fill(in, m * dIn, chunk * dIn, 0f);
            workspace.forward();
            System.arraycopy(workspace.reconstruction(), 0, xHat, from * dIn, m * dIn);
            // Rows come in order, so appending builds the compressed rows directly.
            workspace.forEachActive((row, j, a) -> {
                if (row < m) {
                    entries.add(j, a);
                    start[base + row + 1]++;
                }
            });
        }
        for (int r = 0; r < n; r++) {
            start[r + 1] += start[r];
        }
        return new Codes(n, xHat, start, Arrays.copyOf(entries.latent, entries.size),
                Arrays.copyOf(entries.activation, entries.size));
    }

    /** A growable list of (latent, activation). */
    private static final class Entries {
        int[] latent;
        float[] activation;
        int size;

        Entries(int capacity) {
            latent = new int[Math.max(16, capacity)];
            activation = new float[latent.length];
        }

        void add(int j, float a) {
            if (size == latent.length) {
                latent = Arrays.copyOf(latent, size * 2);
                activation = Arrays.copyOf(activation, size * 2);
            }
            latent[size] = j;
            activation[size] = a;
            size++;
        }
    }
}
