package org.sae4j.activations;

import org.sae4j.formats.BadInputException;
import org.sae4j.formats.RowShape;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.TensorInfo;

import java.io.IOException;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One float tensor (F32, F16, BF16 or F64) of a safetensors file, read in row chunks: [rows, dIn], or [batch, seq,
 * dIn] and other ranks read as rows of the last dimension ({@link RowShape}).
 */
public final class SafetensorsRowFile implements ShapedRowFile {
    private final SafetensorsReader reader;
    private final TensorInfo tensor;
    private final RowShape rowShape;

    private SafetensorsRowFile(SafetensorsReader reader, TensorInfo tensor, RowShape rowShape) {
        this.reader = reader;
        this.tensor = tensor;
        this.rowShape = rowShape;
    }

    /**
     * Opens tensor {@code tensorName} of {@code file}; with a null name, the file's only tensor of two or more
     * dimensions (an error lists the candidates if there are none or several).
     */
    public static SafetensorsRowFile open(Path file, String tensorName) throws IOException {
        SafetensorsReader reader = SafetensorsReader.open(file);
        try {
            TensorInfo t;
            if (tensorName != null) {
                t = reader.tensor(tensorName);
            } else {
                List<TensorInfo> candidates = reader.tensors().stream().filter(x -> x.rank() >= 2).toList();
                if (candidates.size() != 1) {
                    throw new BadInputException(file + ": holds " + candidates.size() + " tensors of two or more"
                            + " dimensions, name the one to use (tensors: " + reader.tensors().stream()
                            .map(SafetensorsRowFile::brief).collect(Collectors.joining(", ")) + ")");
                }
                t = candidates.get(0);
            }
            RowShape rows = RowShape.of(t.shape(), file + ": tensor '" + t.name() + "'");
            if (!t.dtype().isFloat()) {
                throw new BadInputException(file + ": tensor '" + t.name() + "' is " + t.dtype()
                        + "; expected F32, F16, BF16 or F64");
            }
            return new SafetensorsRowFile(reader, t, rows);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private static String brief(TensorInfo t) {
        return t.name() + " " + t.dtype() + Arrays.toString(t.shape());
    }

    @Override
    public void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        Objects.checkFromIndexSize(first, count, rows());
        reader.readFloatRows(tensor.name(), first, count, dst, dstOffset);
    }

    @Override
    public RowShape rowShape() {
        return rowShape;
    }

    @Override
    public String describe() {
        return reader.file() + " tensor '" + tensor.name() + "'";
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
