package org.sae4j.activations;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;

/**
 * Writes a harvest of activations as a folder of HDF5 shards, all or nothing. jhdf 0.13 writes a dataset whole
 * from memory, so rows are gathered into shards of at most {@code shardRows}; each shard {@code part-NNNNNN.h5}
 * holds
 * <ul>
 *   <li>{@code /activations} float32 [rows, dIn] (with attributes naming where they were read),</li>
 *   <li>{@code /token_ids} int32 [rows]: the token at each row,</li>
 *   <li>{@code /positions} int32 [rows]: its position in its context window,</li>
 *   <li>{@code /windows} int64 [rows]: the index of its context window in corpus order.</li>
 * </ul>
 * {@link RowFiles#open} reads the folder back as one [rows, dIn] array ({@code /activations} is each shard's only
 * 2-D dataset). Everything is written into a hidden folder beside the target, each file fsynced, and the folder is
 * renamed to the target by {@link #commit}; closing without committing (an error, bad input, Ctrl-C) deletes it.
 */
public final class Hdf5ShardWriter implements AutoCloseable {
    public static final String ACTIVATIONS = "/activations";
    public static final String TOKEN_IDS = "/token_ids";
    public static final String POSITIONS = "/positions";
    public static final String WINDOWS = "/windows";

    private final Path target;
    private final Path temp;
    private final int dIn;
    private final int shardRows;
    private final Map<String, Object> attributes;
    private final Thread cleanup;

    private final float[][] activations; // [shardRows][dIn], the shard being filled
    private final int[] tokenIds;        // [shardRows]
    private final int[] positions;       // [shardRows]
    private final long[] windows;        // [shardRows]
    private int filled;
    private int shards;
    private long rows;
    private boolean committed;

    private Hdf5ShardWriter(Path target, Path temp, int dIn, int shardRows, Map<String, Object> attributes) {
        this.target = target;
        this.temp = temp;
        this.dIn = dIn;
        this.shardRows = shardRows;
        this.attributes = new LinkedHashMap<>(attributes);
        this.activations = new float[shardRows][dIn];
        this.tokenIds = new int[shardRows];
        this.positions = new int[shardRows];
        this.windows = new long[shardRows];
        this.cleanup = new Thread(() -> deleteQuietly(temp), "sae4j-harvest-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Starts a harvest into folder {@code target}, which must not exist yet.
     *
     * @param attributes strings and numbers stored on each shard's {@code /activations} (hook name, model, ...)
     */
    public static Hdf5ShardWriter create(Path target, int dIn, int shardRows, Map<String, Object> attributes)
            throws IOException {
        if (dIn < 1 || shardRows < 1 || (long) dIn * shardRows > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad shard shape [" + shardRows + ", " + dIn + "]");
        }
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw new BadInputException(target + " already exists; harvest into a new folder");
        }
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        // A harvest is data to share like any output folder: the folder gets the umask's permissions, not a temp
        // folder's owner-only ones.
        Path temp = AtomicFiles.createSibling(parent, "." + absolute.getFileName() + ".partial-", "", true);
        return new Hdf5ShardWriter(absolute, temp, dIn, shardRows, attributes);
    }

    /** Appends {@code count} rows: activations [count, dIn] and per-row token id, position, window. */
    public void add(float[] acts, int[] ids, int[] pos, long[] win, int count) throws IOException {
        if (committed) {
            throw new IllegalStateException("already committed");
        }
        for (int r = 0; r < count; r++) {
            System.arraycopy(acts, r * dIn, activations[filled], 0, dIn);
            tokenIds[filled] = ids[r];
            positions[filled] = pos[r];
            windows[filled] = win[r];
            filled++;
            rows++;
            if (filled == shardRows) {
                flushShard();
            }
        }
    }

    /** Rows added so far. */
    public long rows() {
        return rows;
    }

    /** Shards written so far (the partial one not counted). */
    public int shards() {
        return shards;
    }

    /**
     * Writes the last shard and {@code harvest.json} ({@code description}), then renames the folder into place.
     * A harvest with no rows is bad input.
     */
    public void commit(String description) throws IOException {
        if (rows == 0) {
            throw new BadInputException("nothing was harvested: the text yielded no tokens");
        }
        if (filled > 0) {
            flushShard();
        }
        AtomicFiles.writeString(temp.resolve("harvest.json"), description);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(target + " appeared while harvesting; the harvest was not written");
        }
        committed = true;
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The shards are synced; only the rename's durability is left to the OS.
        }
    }

    private void flushShard() throws IOException {
        if (shards == 999_999) {
            throw new BadInputException("more than 999,999 shards; raise the shard size");
        }
        Path file = temp.resolve(String.format("part-%06d.h5", shards));
        float[][] a = filled == shardRows ? activations : java.util.Arrays.copyOf(activations, filled);
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            WritableDataset ds = h5.putDataset(ACTIVATIONS.substring(1), a);
            for (Map.Entry<String, Object> e : attributes.entrySet()) {
                ds.putAttribute(e.getKey(), e.getValue());
            }
            h5.putDataset(TOKEN_IDS.substring(1), java.util.Arrays.copyOf(tokenIds, filled));
            h5.putDataset(POSITIONS.substring(1), java.util.Arrays.copyOf(positions, filled));
            h5.putDataset(WINDOWS.substring(1), java.util.Arrays.copyOf(windows, filled));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        shards++;
        filled = 0;
    }

    /** Deletes the unfinished folder unless committed. */
    @Override
    public void close() {
        if (!committed) {
            deleteQuietly(temp);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will run; it deletes only an uncommitted folder that no longer exists.
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort: a hidden .partial folder may remain; it is never mistaken for a harvest.
        }
    }
}
