package org.sae4j.activations;

import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An endless, seeded, block-shuffled stream over the rows of a {@link RowFile}, with an exact cursor.
 *
 * <p>Semantics, which {@link #seek} reproduces exactly:
 * <ul>
 *   <li>The file's {@code n} rows are replayed epoch after epoch ({@code e = 0, 1, ...}); each epoch emits every
 *       row exactly once.</li>
 *   <li>Each epoch is cut into consecutive blocks of {@code B = min(bufferRows, n)} file rows: block {@code j}
 *       holds rows {@code [j*B, min(n, (j+1)*B))}, so only the last block may be shorter.</li>
 *   <li>Epoch {@code e} visits the blocks in the order of a Fisher–Yates permutation drawn from
 *       {@code SplittableRandom(mix(seed, e, -1))}; within block {@code j} the rows are emitted in a Fisher–Yates
 *       permutation drawn from {@code SplittableRandom(mix(seed, e, j))}. {@code mix} is a SplitMix64 chain.</li>
 *   <li>{@link #position()} counts rows emitted; {@link #seek(long) seek(p)} finds the epoch {@code p / n}, the
 *       block holding offset {@code p % n} of that epoch, and the offset inside it, and reloads that block.</li>
 * </ul>
 * This is the usual shuffle buffer of activation-streaming trainers, made reproducible: rows are mixed within a
 * buffer of {@code B} rows and buffers are visited in random order, while reads stay sequential and chunked.
 *
 * <p>Every row loaded is checked for NaN/Inf, naming the file and the row's index in the file, unless the consumer
 * filters such rows itself ({@link FiniteRows}, which may skip them). The next block is
 * loaded on one background thread while the current one is consumed. Memory: two blocks of {@code [B, dIn]}
 * floats. Not thread-safe: one consumer. Closing the source closes the file.
 */
public final class ShuffledFileSource implements ActivationSource {

    /** One loaded block: rows {@code [firstRow, firstRow+rows)} of the file and the order to emit them in. */
    private static final class Block {
        final float[] data;            // [B, dIn], first `rows` rows valid
        final int[] perm;              // [B], first `rows` entries: emission order, indices into data
        long epoch;
        int k;                         // position of this block in the epoch's block order
        int rows;

        Block(int blockRows, int dIn) {
            data = new float[blockRows * dIn];
            perm = new int[blockRows];
        }
    }

    /** The block visiting order of one epoch and where in it the (possibly short) last block falls. */
    private record EpochOrder(long epoch, int[] order, int shortAt) {
    }

    private final RowFile file;
    private final long seed;
    private final int dIn;
    private final long n;
    private final int blockRows;
    private final int blocks;
    private final int lastRows;
    private final boolean rejectNonFinite;
    private final ExecutorService prefetcher;

    private Block current;
    private Block spare;
    private Future<Block> pending;     // loads the block after `current` into `spare`
    private int offset;                // rows of `current` already emitted
    private long position;
    private boolean positioned;        // `current` and `offset` match `position`
    private EpochOrder[] orders = new EpochOrder[2];

    /**
     * @param file       the rows to stream; owned by this source from now on
     * @param bufferRows the shuffle buffer B, in rows (memory: 2 × B × dIn floats)
     * @param seed       determines the whole stream
     */
    public ShuffledFileSource(RowFile file, int bufferRows, long seed) {
        this(file, bufferRows, seed, true);
    }

    /**
     * @param rejectNonFinite whether a block holding NaN/Inf is an error here; false hands such rows out, for a
     *                        consumer that deals with them ({@link FiniteRows})
     */
    public ShuffledFileSource(RowFile file, int bufferRows, long seed, boolean rejectNonFinite) {
        if (bufferRows < 1) {
            throw new IllegalArgumentException("bufferRows must be >= 1, got " + bufferRows);
        }
        if (file.rows() < 1) {
            throw new BadInputException(file.describe() + ": holds no rows");
        }
        this.file = file;
        this.seed = seed;
        this.dIn = file.dIn();
        this.n = file.rows();
        this.blockRows = (int) Math.min(bufferRows, n);
        long nb = (n + blockRows - 1) / blockRows;
        if (nb > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bufferRows " + bufferRows + " cuts " + n + " rows into too many blocks");
        }
        if ((long) blockRows * dIn > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bufferRows " + bufferRows + " × dIn " + dIn + " exceeds one array");
        }
        this.blocks = (int) nb;
        this.lastRows = (int) (n - (nb - 1) * blockRows);
        this.rejectNonFinite = rejectNonFinite;
        this.current = new Block(blockRows, dIn);
        this.spare = new Block(blockRows, dIn);
        this.prefetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sae4j-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void next(float[] dst, int rows) throws IOException {
        if (rows < 0 || (long) rows * dIn > dst.length) {
            throw new IllegalArgumentException("cannot put " + rows + " rows of " + dIn + " into " + dst.length + " floats");
        }
        if (!positioned) {
            seek(position);
        }
        int done = 0;
        while (done < rows) {
            if (offset == current.rows) {
                advance();
            }
            int take = Math.min(rows - done, current.rows - offset);
            for (int i = 0; i < take; i++) {
                System.arraycopy(current.data, current.perm[offset + i] * dIn, dst, (done + i) * dIn, dIn);
            }
            offset += take;
            done += take;
            position += take;
        }
    }

    @Override
    public void seek(long target) throws IOException {
        if (target < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + target);
        }
        drainPending();
        positioned = false;
        Spot spot = spot(target);
        load(current, spot.epoch(), spot.k());
        offset = spot.offset();
        position = target;
        positioned = true;
        startPrefetch();
    }

    /** The file and row index in it that stream position {@code target} emits (computed, nothing is read). */
    @Override
    public String locate(long target) {
        if (target < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + target);
        }
        Spot spot = spot(target);
        int j = order(spot.epoch()).order()[spot.k()];
        int rows = j == blocks - 1 ? lastRows : blockRows;
        int[] perm = new int[rows];
        SeededShuffle.permutation(perm, rows, SeededShuffle.mix(seed, spot.epoch(), j));
        return where((long) j * blockRows + perm[spot.offset()]);
    }

    /** Where stream position {@code target} falls: epoch, block {@code k} of that epoch's order, offset inside it. */
    private record Spot(long epoch, int k, int offset) {
    }

    private Spot spot(long target) {
        long epoch = target / n;
        long within = target % n;
        EpochOrder eo = order(epoch);
        // Blocks before the short one are full, so block starts are k*B up to it and shifted by (B - lastRows) after.
        long shortStart = (long) eo.shortAt() * blockRows;
        int k;
        long start;
        if (within < shortStart) {
            k = (int) (within / blockRows);
            start = (long) k * blockRows;
        } else if (within < shortStart + lastRows) {
            k = eo.shortAt();
            start = shortStart;
        } else {
            int after = (int) ((within - shortStart - lastRows) / blockRows);
            k = eo.shortAt() + 1 + after;
            start = shortStart + lastRows + (long) after * blockRows;
        }
        return new Spot(epoch, k, (int) (within - start));
    }

    @Override
    public void close() throws IOException {
        drainPending();
        prefetcher.shutdownNow();
        file.close();
    }

    /** Makes the block after `current` current: the prefetched one if there is one, else loads it now. */
    private void advance() throws IOException {
        Block next;
        if (pending != null) {
            Future<Block> f = pending;
            pending = null;
            next = await(f);
        } else {
            long epoch = current.k + 1 == blocks ? current.epoch + 1 : current.epoch;
            int k = current.k + 1 == blocks ? 0 : current.k + 1;
            next = load(spare, epoch, k);
        }
        spare = current;
        current = next;
        offset = 0;
        startPrefetch();
    }

    private void startPrefetch() {
        long epoch = current.k + 1 == blocks ? current.epoch + 1 : current.epoch;
        int k = current.k + 1 == blocks ? 0 : current.k + 1;
        Block target = spare;
        pending = prefetcher.submit(() -> load(target, epoch, k));
    }

    /** Waits for an in-flight prefetch so its buffer may be reused; its result and errors are dropped. */
    private void drainPending() {
        if (pending != null) {
            try {
                pending.get();
            } catch (ExecutionException | RuntimeException ignored) {
                // Reloading that block later raises the same error where it matters.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pending = null;
        }
    }

    private static Block await(Future<Block> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the next activation block");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new UncheckedIOException(new IOException(c));
        }
    }

    /** Reads block number {@code k} of epoch {@code epoch}'s order into {@code into}; runs on either thread. */
    private Block load(Block into, long epoch, int k) throws IOException {
        int j = order(epoch).order()[k];
        long firstRow = (long) j * blockRows;
        int rows = j == blocks - 1 ? lastRows : blockRows;
        file.read(firstRow, rows, into.data, 0);
        if (rejectNonFinite) {
            checkFinite(into.data, rows, firstRow);
        }
        SeededShuffle.permutation(into.perm, rows, SeededShuffle.mix(seed, epoch, j));
        into.epoch = epoch;
        into.k = k;
        into.rows = rows;
        return into;
    }

    private void checkFinite(float[] data, int rows, long firstRow) {
        int len = rows * dIn;
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(data[i])) {
                throw new NonFiniteRowException(where(firstRow + i / dIn) + " holds " + data[i] + " at column "
                        + (i % dIn));
            }
        }
    }

    /** File and row for row {@code r} of the (possibly concatenated) file. */
    private String where(long r) {
        return file.locate(r);
    }

    /** The block order of {@code epoch}; two epochs are cached because the prefetch may run one epoch ahead. */
    private synchronized EpochOrder order(long epoch) {
        for (EpochOrder o : orders) {
            if (o != null && o.epoch() == epoch) {
                return o;
            }
        }
        int[] order = new int[blocks];
        SeededShuffle.permutation(order, blocks, SeededShuffle.mix(seed, epoch, -1));
        int shortAt = 0;
        while (order[shortAt] != blocks - 1) {
            shortAt++;
        }
        EpochOrder o = new EpochOrder(epoch, order, shortAt);
        orders = new EpochOrder[] {o, orders[0]};
        return o;
    }
}
