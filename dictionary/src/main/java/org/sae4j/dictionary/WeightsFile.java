package org.sae4j.dictionary;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.TensorInfo;

/**
 * Checks on the tensors of a weights file shared by the folder formats: a tensor is taken only if its name and its
 * shape are what the config implies (a [d_in, d_sae] matrix under a [d_sae, d_in] name is an error, not a silent
 * transpose), and a file holding tensors the architecture has no place for is refused, as PyTorch's strict
 * {@code load_state_dict} refuses it, rather than half-read.
 */
final class WeightsFile {
    private WeightsFile() {
    }

    /** Reads float tensor {@code name} after checking it exists and has {@code shape}. */
    static float[] read(SafetensorsReader reader, String name, long[] shape, String impliedBy) throws IOException {
        TensorInfo info = reader.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (info == null) {
            throw new BadInputException(reader.file() + ": no tensor named '" + name + "' " + Arrays.toString(shape)
                    + "; the file holds " + describe(reader));
        }
        long[] actual = info.shape();
        if (!Arrays.equals(actual, shape)) {
            boolean transposed = actual.length == 2 && shape.length == 2 && actual[0] == shape[1]
                    && actual[1] == shape[0];
            throw new BadInputException(reader.file() + ": tensor " + name + " has shape " + Arrays.toString(actual)
                    + ", " + impliedBy + " implies " + Arrays.toString(shape)
                    + (transposed ? " (it is the transpose: a file of another layout?)" : ""));
        }
        if (!info.dtype().isFloat()) {
            throw new BadInputException(reader.file() + ": tensor " + name + " is " + info.dtype()
                    + "; weights must be F32, F16, BF16 or F64");
        }
        return reader.readFloats(name);
    }

    /** Refuses a file with a tensor outside {@code allowed}, naming it and what {@code owner} expects. */
    static void requireOnly(SafetensorsReader reader, Set<String> allowed, String owner) {
        for (TensorInfo t : reader.tensors()) {
            if (!allowed.contains(t.name())) {
                throw new BadInputException(reader.file() + ": unexpected tensor '" + t.name() + "' "
                        + Arrays.toString(t.shape()) + "; " + owner + " has only " + String.join(", ", allowed));
            }
        }
    }

    static String describe(SafetensorsReader reader) {
        if (reader.tensors().isEmpty()) {
            return "no tensors";
        }
        StringBuilder s = new StringBuilder();
        for (TensorInfo t : reader.tensors()) {
            s.append(s.length() == 0 ? "" : ", ").append(t.name()).append(' ').append(t.dtype())
                    .append(Arrays.toString(t.shape()));
        }
        return s.toString();
    }
}
