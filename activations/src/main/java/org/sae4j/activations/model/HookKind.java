package org.sae4j.activations.model;

/**
 * Where in a block an activation is read, in forward order, with TransformerLens' names (which SAELens writes into
 * {@code cfg.json} as {@code hook_name}, e.g. {@code blocks.2.hook_resid_post}). All are [rows, dim].
 */
public enum HookKind {
    /** x entering the block, before attention. */
    RESID_PRE("hook_resid_pre"),
    /** wo · attention, before it is added to x. */
    ATTN_OUT("hook_attn_out"),
    /** x after the attention residual add. */
    RESID_MID("hook_resid_mid"),
    /** w2 · (silu(w1·h) ⊙ w3·h), before it is added to x. */
    MLP_OUT("hook_mlp_out"),
    /** x after the feed-forward residual add (= RESID_PRE of the next block). */
    RESID_POST("hook_resid_post");

    private final String suffix;

    HookKind(String suffix) {
        this.suffix = suffix;
    }

    /** The TransformerLens suffix, e.g. {@code hook_resid_post}. */
    public String suffix() {
        return suffix;
    }

    /** The short name users type, e.g. {@code resid_post}. */
    public String shortName() {
        return suffix.substring("hook_".length());
    }

    /**
     * Parses a user's hook name, short ({@code resid_post}) or TransformerLens' ({@code hook_resid_post}); anything
     * else is bad input listing the names.
     */
    public static HookKind parse(String name) {
        String s = name == null ? "" : name.strip();
        for (HookKind k : values()) {
            if (k.suffix.equals(s) || k.shortName().equals(s)) {
                return k;
            }
        }
        throw new org.sae4j.formats.BadInputException("unknown hook '" + name
                + "' (known: resid_pre, attn_out, resid_mid, mlp_out, resid_post)");
    }

    public static HookKind fromSuffix(String suffix) {
        for (HookKind k : values()) {
            if (k.suffix.equals(suffix)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown hook '" + suffix + "'");
    }
}
