package org.sae4j.activations;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.RowShape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One floating-point dataset (float32, float16 or float64) of an HDF5 file, [rows, dIn], or [batch, seq, dIn] and
 * other ranks read as rows of the last dimension ({@link RowShape}). Reads go through jhdf's hyperslab read
 * {@code Dataset.getData(long[] offset, int[] sliceDimensions)}, so only the requested rows are decoded; in a flattened
 * array, one hyperslab per run of rows that share their leading indices. jhdf widens float16 to float itself. Reads
 * are synchronized because jhdf's thread safety is not documented and a prefetch thread may read while the consumer
 * asks for metadata.
 */
public final class Hdf5RowFile implements ShapedRowFile {
    private final Path file;
    private final HdfFile hdf;
    private final Dataset dataset;
    private final RowShape rowShape;

    private Hdf5RowFile(Path file, HdfFile hdf, Dataset dataset, RowShape rowShape) {
        this.file = file;
        this.hdf = hdf;
        this.dataset = dataset;
        this.rowShape = rowShape;
    }

    /**
     * Opens dataset {@code datasetPath} (e.g. {@code "/activations"}) of {@code file}; with a null path, the file's
     * only dataset of two or more dimensions. Errors list the datasets the file holds.
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
                List<Dataset> candidates = all.stream().filter(d -> d.getDimensions().length >= 2).toList();
                if (candidates.size() != 1) {
                    throw new BadInputException(file + ": holds " + candidates.size() + " datasets of two or more"
                            + " dimensions, name the one to use (datasets: " + list(all) + ")");
                }
                ds = candidates.get(0);
            }
            String where = file + " dataset '" + ds.getPath() + "'";
            RowShape shape = RowShape.of(ds.getDimensionsAsLong(), where);
            DataType type = ds.getDataType();
            if (!(type instanceof FloatingPoint fp) || ds.isCompound() || ds.isVariableLength()
                    || !List.of(16, 32, 64).contains((int) fp.getBitPrecision())) {
                throw new BadInputException(where + " holds " + ds.getJavaType().getSimpleName() + " ("
                        + type.getClass().getSimpleName() + "); expected float32 or float16");
            }
            return new Hdf5RowFile(file, hdf, ds, shape);
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
    public synchronized void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        int dIn = dIn();
        Objects.checkFromIndexSize(first, count, rows());
        Objects.checkFromIndexSize(dstOffset, (long) count * dIn, dst.length);
        long[] shape = rowShape.shape();
        int rank = shape.length;
        long run = shape[rank - 2]; // rows that share their leading indices, contiguous in one hyperslab
        int done = 0;
        while (done < count) {
            long row = first + done;
            int take = (int) Math.min(count - done, run - row % run);
            long[] offset = Arrays.copyOf(rowShape.index(row), rank); // [i0, .., row within the run, 0]
            int[] slice = new int[rank]; // [1, .., 1, take, dIn]
            Arrays.fill(slice, 1);
            slice[rank - 2] = take;
            slice[rank - 1] = dIn;
            copyRows(readSlab(offset, slice, row, take), rank, take, dst, dstOffset + done * dIn);
            done += take;
        }
    }

    /** One hyperslab, as jhdf returns it: nested arrays, [1, .., 1, take, dIn]. */
    private Object readSlab(long[] offset, int[] slice, long row, int take) {
        try {
            return dataset.getData(offset, slice);
        } catch (HdfException | IllegalArgumentException | IndexOutOfBoundsException
                 | java.nio.BufferUnderflowException e) {
            // jhdf reads lazily: a file cut short or damaged past its header fails here, not at open.
            throw new BadInputException(describe() + ": reading rows [" + row + ", " + (row + take)
                    + ") failed (truncated or damaged?): " + e.getMessage(), e);
        }
    }

    /** Copies a [1, .., 1, take, dIn] slab of float or double rows into dst as float32. */
    private void copyRows(Object slab, int rank, int take, float[] dst, int at) {
        int dIn = dIn();
        for (int i = 0; i < rank - 2; i++) {
            slab = ((Object[]) slab)[0]; // through the leading dimensions of size 1
        }
        if (slab instanceof float[][] f) {
            for (int r = 0; r < take; r++) {
                System.arraycopy(f[r], 0, dst, at + r * dIn, dIn);
            }
        } else if (slab instanceof double[][] d) {
            for (int r = 0; r < take; r++) {
                for (int c = 0; c < dIn; c++) {
                    dst[at + r * dIn + c] = (float) d[r][c];
                }
            }
        } else {
            throw new IllegalStateException("jhdf returned " + slab.getClass() + " for a floating-point dataset");
        }
    }

    @Override
    public RowShape rowShape() {
        return rowShape;
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
