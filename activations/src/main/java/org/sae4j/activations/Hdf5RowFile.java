package org.sae4j.activations;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One 2-D floating-point dataset ([rows, dIn]; float32, float16 or float64) of an HDF5 file, read through jhdf's
 * hyperslab read {@code Dataset.getData(long[] offset, int[] sliceDimensions)}, so only the requested rows are
 * decoded. jhdf widens float16 to float itself. Reads are synchronized because jhdf's thread safety is not
 * documented and a prefetch thread may read while the consumer asks for metadata.
 */
public final class Hdf5RowFile implements RowFile {
    private final Path file;
    private final HdfFile hdf;
    private final Dataset dataset;
    private final long rows;
    private final int dIn;

    private Hdf5RowFile(Path file, HdfFile hdf, Dataset dataset, long rows, int dIn) {
        this.file = file;
        this.hdf = hdf;
        this.dataset = dataset;
        this.rows = rows;
        this.dIn = dIn;
    }

    /**
     * Opens dataset {@code datasetPath} (e.g. {@code "/activations"}) of {@code file}; with a null path, the file's
     * only 2-D dataset. Errors list the datasets the file holds.
     */
    public static Hdf5RowFile open(Path file, String datasetPath) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file");
        }
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (HdfException e) {
            throw new BadInputException(file + ": not a readable HDF5 file (" + e.getMessage() + ")", e);
        }
        try {
            List<Dataset> all = new ArrayList<>();
            collect(hdf, all);
            Dataset ds;
            if (datasetPath != null) {
                Node node;
                try {
                    node = hdf.getByPath(datasetPath);
                } catch (HdfException e) {
                    node = null;
                }
                if (!(node instanceof Dataset d)) {
                    throw new BadInputException(file + ": no dataset '" + datasetPath + "'; it holds " + list(all));
                }
                ds = d;
            } else {
                List<Dataset> twoD = all.stream().filter(d -> d.getDimensions().length == 2).toList();
                if (twoD.size() != 1) {
                    throw new BadInputException(file + ": holds " + twoD.size() + " 2-D datasets, name the one to use"
                            + " (datasets: " + list(all) + ")");
                }
                ds = twoD.get(0);
            }
            long[] dims = ds.getDimensionsAsLong();
            String where = file + " dataset '" + ds.getPath() + "'";
            if (dims.length != 2) {
                throw new BadInputException(where + " has shape " + Arrays.toString(dims) + "; expected 2-D [rows, dIn]");
            }
            DataType type = ds.getDataType();
            if (!(type instanceof FloatingPoint fp) || ds.isCompound() || ds.isVariableLength()
                    || !List.of(16, 32, 64).contains((int) fp.getBitPrecision())) {
                throw new BadInputException(where + " holds " + ds.getJavaType().getSimpleName() + " ("
                        + type.getClass().getSimpleName() + "); expected float32 or float16");
            }
            if (dims[1] < 1 || dims[1] > Integer.MAX_VALUE) {
                throw new BadInputException(where + " has " + dims[1] + " columns");
            }
            return new Hdf5RowFile(file, hdf, ds, dims[0], (int) dims[1]);
        } catch (RuntimeException e) {
            hdf.close();
            throw e;
        }
    }

    private static void collect(Group group, List<Dataset> into) {
        for (Node child : group.getChildren().values()) {
            if (child instanceof Dataset d) {
                into.add(d);
            } else if (child instanceof Group g) {
                collect(g, into);
            }
        }
    }

    private static String list(List<Dataset> all) {
        if (all.isEmpty()) {
            return "no datasets";
        }
        List<String> out = new ArrayList<>();
        for (Dataset d : all) {
            out.add(d.getPath() + " " + Arrays.toString(d.getDimensions()));
        }
        return String.join(", ", out);
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public synchronized void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        Objects.checkFromIndexSize(first, count, rows);
        Objects.checkFromIndexSize(dstOffset, (long) count * dIn, dst.length);
        if (count == 0) {
            return;
        }
        Object slab;
        try {
            slab = dataset.getData(new long[] {first, 0}, new int[] {count, dIn});   // [count, dIn]
        } catch (HdfException | IllegalArgumentException | IndexOutOfBoundsException
                 | java.nio.BufferUnderflowException e) {
            // jhdf reads lazily: a file cut short or damaged past its header fails here, not at open.
            throw new BadInputException(describe() + ": reading rows [" + first + ", " + (first + count)
                    + ") failed (truncated or damaged?): " + e.getMessage(), e);
        }
        if (slab instanceof float[][] f) {
            for (int r = 0; r < count; r++) {
                System.arraycopy(f[r], 0, dst, dstOffset + r * dIn, dIn);
            }
        } else if (slab instanceof double[][] d) {
            for (int r = 0; r < count; r++) {
                for (int c = 0; c < dIn; c++) {
                    dst[dstOffset + r * dIn + c] = (float) d[r][c];
                }
            }
        } else {
            throw new IllegalStateException("jhdf returned " + slab.getClass() + " for a floating-point dataset");
        }
    }

    @Override
    public String describe() {
        return file + " dataset '" + dataset.getPath() + "'";
    }

    @Override
    public void close() {
        hdf.close();
    }
}
