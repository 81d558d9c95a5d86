package org.sae4j.dictionary;

import java.nio.file.Path;
import java.util.List;
import org.sae4j.formats.DType;
import org.sae4j.formats.TensorInfo;

/**
 * An SAE read from a folder, with what the folder said beside it.
 *
 * @param sae          the SAE, float32, in sae4j's (SAELens v6) parameterisation
 * @param format       which layout the folder has
 * @param dir          the folder it was read from
 * @param weightsDType the element type the weights were stored in; F32 when the tensors mixed types
 * @param stored       the weight tensors as the file holds them: names, dtypes and shapes, in file order
 * @param logSparsity  SAELens {@code sparsity.safetensors}: log10 firing frequency per latent [dSae], or null
 * @param notes        what reading it took beyond copying tensors, for a person to read (legacy keys mapped,
 *                     factors folded into the weights); empty when nothing
 */
public record LoadedSae(Sae sae, SaeFormat format, Path dir, DType weightsDType, List<TensorInfo> stored,
        float[] logSparsity, List<String> notes) {

    public LoadedSae {
        stored = List.copyOf(stored);
        notes = List.copyOf(notes);
    }

    /** The common dtype of {@code tensors}, or F32 (which holds every F16 and BF16 value exactly) if they differ. */
    static DType commonDType(List<TensorInfo> tensors) {
        DType common = null;
        for (TensorInfo t : tensors) {
            if (common == null) {
                common = t.dtype();
            } else if (common != t.dtype()) {
                return DType.F32;
            }
        }
        return common == null ? DType.F32 : common;
    }
}
