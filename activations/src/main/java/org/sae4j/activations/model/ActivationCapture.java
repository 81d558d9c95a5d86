package org.sae4j.activations.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs context windows through the model and copies out the activations at a few hook points, only at the
 * positions each window marks for harvest (by default every position but BOS). The windows go through the model in
 * batches of at most {@code batchTokens} tokens (a window longer than that runs alone), and the pass stops after
 * the last hooked point. Rows come out in window order, then position order; one pass serves every hook.
 *
 * <p>Not thread-safe (the model is not).
 */
public final class ActivationCapture {

    /**
     * The harvested rows of some windows.
     *
     * @param count       rows
     * @param activations per hook (in the capture's hook order), [count, dim] row-major
     * @param tokenIds    [count] the token at each row
     * @param positions   [count] its position in its window
     * @param windows     [count] the index of its window in the list given to {@link #run}
     */
    public record Rows(int count, List<float[]> activations, int[] tokenIds, int[] positions, int[] windows) {
    }

    private final LlamaModel model;
    private final List<HookPoint> hooks;
    private final int batchTokens;

    /**
     * @param hooks       points to read, each a distinct point of this model
     * @param batchTokens most tokens per forward pass (memory: a few [batchTokens, hiddenDim] buffers)
     */
    public ActivationCapture(LlamaModel model, List<HookPoint> hooks, int batchTokens) {
        if (hooks.isEmpty() || hooks.stream().distinct().count() != hooks.size()) {
            throw new IllegalArgumentException("need distinct hook points, got " + hooks);
        }
        for (HookPoint p : hooks) {
            if (p.layer() >= model.config().nLayers()) {
                throw new IllegalArgumentException("hook " + p + ": the model has " + model.config().nLayers()
                        + " layers (0.." + (model.config().nLayers() - 1) + ")");
            }
        }
        if (batchTokens < 1) {
            throw new IllegalArgumentException("batchTokens must be positive, got " + batchTokens);
        }
        this.model = model;
        this.hooks = List.copyOf(hooks);
        this.batchTokens = batchTokens;
    }

    public List<HookPoint> hooks() {
        return hooks;
    }

    public int dim() {
        return model.config().dim();
    }

    /** Harvested rows of all {@code windows}. */
    public Rows run(List<ContextWindow> windows) {
        int dim = dim();
        int count = 0;
        for (ContextWindow w : windows) {
            count += w.harvestCount();
        }
        List<float[]> acts = new ArrayList<>(hooks.size());
        for (int h = 0; h < hooks.size(); h++) {
            acts.add(new float[Math.multiplyExact(count, dim)]); // [count, dim]
        }
        int[] tokenIds = new int[count];
        int[] positions = new int[count];
        int[] windowIds = new int[count];
        int row = 0; // first output row of the current batch
        for (int from = 0; from < windows.size(); ) {
            int to = from;
            long tokens = 0;
            while (to < windows.size() && (to == from || tokens + windows.get(to).length() <= batchTokens)) {
                tokens += windows.get(to).length();
                to++;
            }
            List<ContextWindow> chunk = windows.subList(from, to);
            boolean[][] masks = new boolean[chunk.size()][];
            for (int s = 0; s < chunk.size(); s++) {
                masks[s] = chunk.get(s).harvest();
            }
            TokenBatch batch = ContextWindows.batch(chunk);
            Map<HookPoint, Hook> hookMap = new LinkedHashMap<>();
            final int firstRow = row;
            for (int h = 0; h < hooks.size(); h++) {
                float[] dst = acts.get(h);
                hookMap.put(hooks.get(h), (point, activation, b) -> copyMasked(activation, b, masks, dst, firstRow,
                        dim));
            }
            model.runToLastHook(batch, hookMap);
            for (int s = 0; s < chunk.size(); s++) {
                int[] ids = chunk.get(s).tokens();
                for (int p = 0; p < ids.length; p++) {
                    if (masks[s][p]) {
                        tokenIds[row] = ids[p];
                        positions[row] = p;
                        windowIds[row] = from + s;
                        row++;
                    }
                }
            }
            from = to;
        }
        return new Rows(count, acts, tokenIds, positions, windowIds);
    }

    /** Copies the masked rows of {@code activation} [batch.rows(), dim] to {@code dst} from row {@code firstRow}. */
    private static void copyMasked(INDArray activation, TokenBatch batch, boolean[][] masks, float[] dst,
                                   int firstRow, int dim) {
        INDArray a = activation.isView() || activation.ordering() != 'c' ? activation.dup('c') : activation;
        FloatBuffer data = a.data().asNioFloat();
        int out = firstRow;
        for (int s = 0; s < batch.size(); s++) {
            int offset = batch.offset(s);
            for (int p = 0; p < batch.length(s); p++) {
                if (masks[s][p]) {
                    data.get((offset + p) * dim, dst, out * dim, dim);
                    out++;
                }
            }
        }
    }
}
