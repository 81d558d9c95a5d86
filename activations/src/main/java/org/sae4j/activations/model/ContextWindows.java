package org.sae4j.activations.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Tokenizes documents from BOS and cuts them into context windows under a {@link WindowPolicy}. */
public final class ContextWindows {

    private ContextWindows() {
    }

    /** Windows with BOS positions excluded from harvest. */
    public static List<ContextWindow> build(List<String> documents, Tokenizer tokenizer, int contextSize,
                                            WindowPolicy policy) {
        return build(documents, tokenizer, contextSize, policy, false);
    }

    /** Windows; {@code harvestBos} also marks BOS positions for harvest. */
    public static List<ContextWindow> build(List<String> documents, Tokenizer tokenizer, int contextSize,
                                            WindowPolicy policy, boolean harvestBos) {
        if (contextSize < 1) {
            throw new IllegalArgumentException("contextSize must be positive, got " + contextSize);
        }
        // Documents encode independently (the tokenizer is thread-safe); the list keeps their order.
        List<int[]> encoded = documents.parallelStream().map(doc -> tokenizer.encode(doc, true, false)).toList();
        List<ContextWindow> windows = new ArrayList<>();
        if (policy == WindowPolicy.TRUNCATE) {
            for (int[] ids : encoded) {
                windows.add(window(Arrays.copyOf(ids, Math.min(ids.length, contextSize)), harvestBos));
            }
            return windows;
        }
        int[] buffer = new int[contextSize]; // [contextSize] the window being filled
        int filled = 0;
        for (int[] ids : encoded) {
            for (int id : ids) {
                buffer[filled++] = id;
                if (filled == contextSize) {
                    windows.add(window(buffer, harvestBos));
                    filled = 0;
                }
            }
        }
        return windows;
    }

    private static ContextWindow window(int[] tokens, boolean harvestBos) {
        boolean[] harvest = new boolean[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            harvest[i] = harvestBos || tokens[i] != Tokenizer.BOS;
        }
        return new ContextWindow(tokens, harvest);
    }

    /** The windows as one ragged batch for {@link LlamaModel}. */
    public static TokenBatch batch(List<ContextWindow> windows) {
        List<int[]> seqs = new ArrayList<>(windows.size());
        for (ContextWindow w : windows) {
            seqs.add(w.tokens());
        }
        return TokenBatch.of(seqs);
    }
}
