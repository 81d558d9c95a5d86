package org.sae4j.activations;

import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Several row files of equal width viewed as one: the rows of part 0, then of part 1, and so on (a sharded
 * harvest). Closing it closes every part.
 */
public final class ConcatRowFile implements RowFile {
    private final List<RowFile> parts;
    /** starts[i] = first global row of part i; starts[parts.size()] = total rows. */
    private final long[] starts;
    private final int dIn;

    public ConcatRowFile(List<? extends RowFile> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no row files to concatenate");
        }
        this.parts = List.copyOf(parts);
        this.dIn = parts.get(0).dIn();
        this.starts = new long[parts.size() + 1];
        for (int i = 0; i < parts.size(); i++) {
            RowFile p = parts.get(i);
            if (p.dIn() != dIn) {
                throw new BadInputException(p.describe() + " has dIn " + p.dIn() + " but " + parts.get(0).describe()
                        + " has dIn " + dIn + "; concatenated files must have equal widths");
            }
            starts[i + 1] = starts[i] + p.rows();
        }
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public long rows() {
        return starts[parts.size()];
    }

    @Override
    public void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        Objects.checkFromIndexSize(first, count, rows());
        long row = first;
        int done = 0;
        while (done < count) {
            int part = partOf(row);
            long local = row - starts[part];
            int take = (int) Math.min(count - done, starts[part + 1] - row);
            parts.get(part).read(local, take, dst, dstOffset + done * dIn);
            row += take;
            done += take;
        }
    }

    /** Names the file and its own row index for global row {@code row}, for error messages. */
    @Override
    public String locate(long row) {
        Objects.checkIndex(row, rows());
        int part = partOf(row);
        return parts.get(part).locate(row - starts[part]);
    }

    /** Index of the part holding global row {@code row} (empty parts are skipped). */
    private int partOf(long row) {
        int i = Arrays.binarySearch(starts, row);
        if (i < 0) {
            return -i - 2;
        }
        while (starts[i + 1] == row) {
            i++;                                   // skip empty parts that start at the same row
        }
        return i;
    }

    @Override
    public String describe() {
        return parts.size() == 1 ? parts.get(0).describe()
                : parts.size() + " files (" + parts.get(0).describe() + " .. " + parts.get(parts.size() - 1).describe()
                + ")";
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RowFile p : parts) {
            try {
                p.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
