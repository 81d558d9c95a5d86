package org.sae4j.activations;

import java.io.IOException;
import org.sae4j.formats.BadInputException;

/**
 * A source that hands out only finite rows, whatever its inner source holds. A row with NaN or ±Inf either stops
 * the read with a one-line {@link BadInputException} naming where it came from ({@link ActivationSource#locate}) and
 * the column ({@link NonFinite#STOP}), or is dropped and replaced by the next row of the inner source
 * ({@link NonFinite#SKIP}), so batches keep their size.
 *
 * <p>{@link #position()} is the inner source's cursor, dropped rows included, so a checkpoint that stores it
 * resumes on exactly the rows an uninterrupted run reads. Skipping gives up, again with a one-line error, when more
 * than half of the rows read for one call are not finite: that is broken data rather than a few bad rows, and an
 * endless source of NaN would otherwise never fill a batch.
 */
public final class FiniteRows implements ActivationSource {
    private final ActivationSource inner;
    private final NonFinite policy;
    private final int dIn;
    private float[] refill = new float[0]; // [rows, dIn]: rows read to replace dropped ones
    private long skipped;
    private String firstSkipped;

    public FiniteRows(ActivationSource inner, NonFinite policy) {
        this.inner = inner;
        this.policy = policy;
        this.dIn = inner.dIn();
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public void next(float[] dst, int rows) throws IOException {
        long first = inner.position();
        inner.next(dst, rows);
        int kept = keepFinite(dst, 0, dst, 0, rows, first);
        long droppedHere = rows - kept;
        while (kept < rows) {
            if (droppedHere > rows) {
                throw new BadInputException("gave up reading activations: " + droppedHere + " of the "
                        + (inner.position() - first) + " rows from " + inner.locate(first)
                        + " on hold NaN or Inf (first skipped: " + firstSkipped + ")");
            }
            int need = rows - kept;
            if (refill.length < need * dIn) {
                refill = new float[need * dIn];
            }
            long at = inner.position();
            inner.next(refill, need);
            int got = keepFinite(refill, 0, dst, kept, need, at);
            droppedHere += need - got;
            kept += got;
        }
    }

    /**
     * Copies the finite rows of {@code src[srcRow ..)} ({@code rows} rows read at stream position {@code at}) to
     * {@code dst} from row {@code dstRow} on, in order, and returns how many there were.
     */
    private int keepFinite(float[] src, int srcRow, float[] dst, int dstRow, int rows, long at) {
        int out = dstRow;
        for (int r = 0; r < rows; r++) {
            int base = (srcRow + r) * dIn;
            int bad = firstNonFinite(src, base);
            if (bad < 0) {
                if (src != dst || out != srcRow + r) {
                    System.arraycopy(src, base, dst, out * dIn, dIn);
                }
                out++;
                continue;
            }
            String where = inner.locate(at + r) + " holds " + src[base + bad] + " at column " + bad;
            if (policy == NonFinite.STOP) {
                throw new NonFiniteRowException(where);
            }
            if (skipped++ == 0) {
                firstSkipped = where;
            }
        }
        return out - dstRow;
    }

    private int firstNonFinite(float[] x, int base) {
        for (int d = 0; d < dIn; d++) {
            if (!Float.isFinite(x[base + d])) {
                return d;
            }
        }
        return -1;
    }

    /** Rows dropped so far ({@link NonFinite#SKIP}), over the life of the run when {@link #resumeCount} was used. */
    public long skipped() {
        return skipped;
    }

    /** The first dropped row, e.g. {@code "acts.npy: row 17 holds NaN at column 3"}; null if none was. */
    public String firstSkipped() {
        return firstSkipped;
    }

    /** Restores the count and first dropped row saved with a checkpoint, so the report covers the whole run. */
    public void resumeCount(long skipped, String firstSkipped) {
        if (skipped < 0 || (skipped > 0) != (firstSkipped != null)) {
            throw new IllegalArgumentException("skipped " + skipped + " rows, first " + firstSkipped);
        }
        this.skipped = skipped;
        this.firstSkipped = firstSkipped;
    }

    @Override
    public long position() {
        return inner.position();
    }

    @Override
    public void seek(long position) throws IOException {
        inner.seek(position);
    }

    @Override
    public String locate(long position) {
        return inner.locate(position);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
