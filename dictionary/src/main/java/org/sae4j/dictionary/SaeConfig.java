package org.sae4j.dictionary;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SAE's own configuration: what is saved beside its weights as SAELens v6 {@code cfg.json}. Training settings
 * live elsewhere ({@code TrainConfig} in the trainer) because they do not describe the dictionary.
 *
 * @param dIn                   width of the activations it reads
 * @param dSae                  number of latents
 * @param architecture          how latents are sparsified
 * @param applyBDecToInput      whether the encoder sees {@code x − b_dec} (SAELens {@code apply_b_dec_to_input})
 * @param normalizeActivations  SAELens {@code normalize_activations}: "none" for saved SAEs (sae4j folds its
 *                              scaling into the weights at save), "expected_average_only_in" while training
 * @param metadata              free-form provenance saved as SAELens {@code metadata} (hook name, model, source,
 *                              training tokens); values are strings, numbers or booleans
 */
public record SaeConfig(
        int dIn,
        int dSae,
        Architecture architecture,
        boolean applyBDecToInput,
        String normalizeActivations,
        Map<String, Object> metadata) {

    public SaeConfig {
        if (dIn < 1) {
            throw new IllegalArgumentException("d_in must be positive, got " + dIn);
        }
        if (dSae < 1) {
            throw new IllegalArgumentException("d_sae must be positive, got " + dSae);
        }
        if (architecture instanceof Architecture.TopK topK && topK.k() > dSae) {
            throw new IllegalArgumentException("k = " + topK.k() + " exceeds d_sae = " + dSae);
        }
        if (architecture instanceof Architecture.BatchTopK b && b.k() > dSae) {
            throw new IllegalArgumentException("k = " + b.k() + " exceeds d_sae = " + dSae);
        }
        if (architecture instanceof Architecture.MatryoshkaBatchTopK m
                && m.widths().get(m.widths().size() - 1) != dSae) {
            throw new IllegalArgumentException("the last matryoshka width must be d_sae = " + dSae + ", got "
                    + m.widths());
        }
        if (!normalizeActivations.equals("none") && !normalizeActivations.equals("expected_average_only_in")) {
            throw new IllegalArgumentException("normalize_activations must be none or expected_average_only_in, got "
                    + normalizeActivations);
        }
        // Insertion order kept so cfg.json reads the way it was written.
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public static SaeConfig of(int dIn, int dSae, Architecture architecture) {
        return new SaeConfig(dIn, dSae, architecture, true, "none", Map.of());
    }

    public SaeConfig withMetadata(Map<String, Object> more) {
        Map<String, Object> merged = new LinkedHashMap<>(metadata);
        merged.putAll(more);
        return new SaeConfig(dIn, dSae, architecture, applyBDecToInput, normalizeActivations, merged);
    }

    public SaeConfig withNormalizeActivations(String value) {
        return new SaeConfig(dIn, dSae, architecture, applyBDecToInput, value, metadata);
    }

    /** Trainable parameter count: the sizes of {@link SaeParams#layout} (W_enc, b_enc, W_dec, b_dec so far). */
    public long parameterCount() {
        long n = 0;
        for (SaeParams.TensorSpec spec : SaeParams.layout(this)) {
            n += spec.size();
        }
        return n;
    }
}
