package org.sae4j.activations;

import org.sae4j.formats.BadInputException;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.TensorInfo;

import java.io.IOException;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** One 2-D float tensor ([rows, dIn]; F32, F16, BF16 or F64) of a safetensors file, read in row chunks. */
public final class SafetensorsRowFile implements RowFile {
    private final SafetensorsReader reader;
    private final TensorInfo tensor;

    private SafetensorsRowFile(SafetensorsReader reader, TensorInfo tensor) {
        this.reader = reader;
        this.tensor = tensor;
    }

    /**
     * Opens tensor {@code tensorName} of {@code file}; with a null name, the file's only 2-D tensor (an error lists
     * the candidates if there are none or several).
     */
    public static SafetensorsRowFile open(Path file, String tensorName) throws IOException {
        SafetensorsReader reader = SafetensorsReader.open(file);
        try {
            TensorInfo t;
            if (tensorName != null) {
                t = reader.tensor(tensorName);
            } else {
                List<TensorInfo> twoD = reader.tensors().stream().filter(x -> x.rank() == 2).toList();
                if (twoD.size() != 1) {
                    throw new BadInputException(file + ": holds " + twoD.size() + " 2-D tensors, name the one to use"
                            + " (tensors: " + reader.tensors().stream().map(SafetensorsRowFile::brief)
                            .collect(Collectors.joining(", ")) + ")");
                }
                t = twoD.get(0);
            }
            if (t.rank() != 2) {
                throw new BadInputException(file + ": tensor '" + t.name() + "' has shape "
                        + Arrays.toString(t.shape()) + "; expected 2-D [rows, dIn]");
            }
            if (!t.dtype().isFloat()) {
                throw new BadInputException(file + ": tensor '" + t.name() + "' is " + t.dtype()
                        + "; expected F32, F16, BF16 or F64");
            }
            if (t.shape()[1] < 1 || t.shape()[1] > Integer.MAX_VALUE) {
                throw new BadInputException(file + ": tensor '" + t.name() + "' has " + t.shape()[1] + " columns");
            }
            return new SafetensorsRowFile(reader, t);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private static String brief(TensorInfo t) {
        return t.name() + " " + t.dtype() + Arrays.toString(t.shape());
    }

    @Override
    public int dIn() {
        return (int) tensor.shape()[1];
    }

    @Override
    public long rows() {
        return tensor.shape()[0];
    }

    @Override
    public void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        Objects.checkFromIndexSize(first, count, rows());
        reader.readFloatRows(tensor.name(), first, count, dst, dstOffset);
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
