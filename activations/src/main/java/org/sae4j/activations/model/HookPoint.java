package org.sae4j.activations.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sae4j.formats.BadInputException;

/**
 * A place in the forward pass: block {@code layer} (0-based), activation {@code kind}.
 * Named as TransformerLens does: {@code blocks.<layer>.hook_<kind>}.
 */
public record HookPoint(int layer, HookKind kind) implements Comparable<HookPoint> {

    private static final Pattern NAME = Pattern.compile("blocks\\.(\\d{1,9})\\.(hook_[a-z_]+)");

    public HookPoint {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer);
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind is null");
        }
    }

    /** Parses {@code blocks.2.hook_resid_post}; a malformed name is bad input. */
    public static HookPoint parse(String name) {
        Matcher m = NAME.matcher(name.strip());
        if (!m.matches()) {
            throw new BadInputException("hook name '" + name + "' is not of the form blocks.<layer>.hook_<kind>");
        }
        try {
            return new HookPoint(Integer.parseInt(m.group(1)), HookKind.fromSuffix(m.group(2)));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("hook name '" + name + "': " + e.getMessage()
                    + " (known: hook_resid_pre, hook_attn_out, hook_resid_mid, hook_mlp_out, hook_resid_post)");
        }
    }

    /** Position in forward order, for finding the last hooked point. */
    int order() {
        return layer * HookKind.values().length + kind.ordinal();
    }

    @Override
    public int compareTo(HookPoint other) {
        return Integer.compare(order(), other.order());
    }

    /** The TransformerLens name. */
    public String name() {
        return "blocks." + layer + "." + kind.suffix();
    }

    @Override
    public String toString() {
        return name();
    }
}
