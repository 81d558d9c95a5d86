package org.sae4j.activations;

import java.io.IOException;

/**
 * Random access to the rows of an activation array stored on disk ([rows, dIn], or more dimensions flattened into rows
 * of the last, see {@code RowShape}), read in chunks so a file far larger than memory can be streamed. Implementations
 * convert their stored dtype (float32, float16, bfloat16) to float32.
 */
public interface RowFile extends AutoCloseable {

    int dIn();

    long rows();

    /** Reads rows {@code [first, first+count)} into {@code dst} starting at {@code dstOffset}, row-major. */
    void read(long first, int count, float[] dst, int dstOffset) throws IOException;

    /** What to call this data in an error message: file name, and dataset or tensor name where there is one. */
    String describe();

    /** Names row {@code row} for an error message: the file, and the row as the user would find it there. */
    default String locate(long row) {
        return describe() + ": row " + row;
    }

    @Override
    void close() throws IOException;
}
