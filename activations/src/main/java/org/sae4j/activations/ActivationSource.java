package org.sae4j.activations;

import java.io.IOException;

/**
 * A replayable stream of activation vectors, row-major float32 rows of width {@link #dIn()}.
 *
 * <p>The stream is a pure function of its configuration (seed included) and a row cursor: {@link #position()} is the
 * number of rows handed out since the start, and {@link #seek(long)} to a position makes the following reads equal
 * to what an uninterrupted stream would have returned from there. Training checkpoints store only that cursor, so
 * a resumed run sees exactly the data the uninterrupted run would have seen.
 */
public interface ActivationSource extends AutoCloseable {

    /** Width of every row. */
    int dIn();

    /**
     * Fills {@code dst[0 .. rows*dIn)} with the next {@code rows} rows ([rows, dIn], row-major) and advances the
     * cursor. Sources are endless: finite data is replayed epoch after epoch in a fresh seeded order.
     *
     * @throws org.sae4j.formats.BadInputException if the data is unreadable or not finite, naming file and row
     */
    void next(float[] dst, int rows) throws IOException;

    /** Rows handed out since the start. */
    long position();

    /** Moves the cursor so that the next read returns what an uninterrupted stream returns at {@code position}. */
    void seek(long position) throws IOException;

    /**
     * Where the row at stream {@code position} comes from, for error messages: a file and its row where the source
     * reads files. The default names the stream position alone.
     */
    default String locate(long position) {
        return "row " + position + " of the activation stream";
    }

    @Override
    void close() throws IOException;
}
