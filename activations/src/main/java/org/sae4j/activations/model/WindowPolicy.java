package org.sae4j.activations.model;

/** How tokenized documents (each from BOS) become fixed context windows. */
public enum WindowPolicy {
    /**
     * One window per document: its first {@code contextSize} tokens; the rest is dropped and shorter documents give
     * shorter windows (a {@link TokenBatch} holds ragged lengths, so nothing is padded). Every window starts at a
     * document's BOS, so every position sees its own document's context alone.
     */
    TRUNCATE,
    /**
     * All documents back to back (each still opening with BOS) cut into consecutive windows of exactly
     * {@code contextSize}; the incomplete last window is dropped. No token is wasted, but attention crosses document
     * boundaries inside a window and a window may start mid-document, as in SAELens' and nanoGPT's loaders.
     */
    PACK;

    /** The name used in settings and flags: {@code truncate} or {@code pack}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static WindowPolicy parse(String label) {
        for (WindowPolicy p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        throw new org.sae4j.formats.BadInputException("unknown window policy '" + label + "' (truncate or pack)");
    }
}
