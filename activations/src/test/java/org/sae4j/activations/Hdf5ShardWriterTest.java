package org.sae4j.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

/** A sharded harvest reads back exactly (tolerance 0): activations as one array, and each row's token and place. */
class Hdf5ShardWriterTest {
    static final int ROWS = 45;
    static final int D = 6;
    static final int SHARD = 16; // 45 rows: shards of 16, 16, 13

    @TempDir
    Path dir;

    @Test
    void harvestReadsBackExactlyAsOneSourceAndPerShard() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] acts = new float[ROWS * D]; // [ROWS, D]
        int[] ids = new int[ROWS];
        int[] pos = new int[ROWS];
        long[] win = new long[ROWS];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < D; c++) {
                acts[r * D + c] = (float) rnd.nextGaussian();
            }
            ids[r] = rnd.nextInt(512);
            pos[r] = r % 9 + 1;
            win[r] = r / 9 + (1L << 33); // beyond int32: the window column is int64
        }
        Path out = dir.resolve("acts");
        try (Hdf5ShardWriter w = Hdf5ShardWriter.create(out, D, SHARD, Map.of("hook_name", "blocks.2.hook_resid_post",
                "layer", 2))) {
            // Added in uneven pieces that straddle shard boundaries.
            int[] pieces = {5, 20, 1, 19};
            int at = 0;
            for (int n : pieces) {
                w.add(java.util.Arrays.copyOfRange(acts, at * D, (at + n) * D), java.util.Arrays.copyOfRange(ids, at,
                        at + n), java.util.Arrays.copyOfRange(pos, at, at + n), java.util.Arrays.copyOfRange(win, at,
                        at + n), n);
                at += n;
            }
            assertFalse(Files.exists(out), "nothing appears at the target before commit");
            w.commit("{\"rows\": 45}\n");
            assertEquals(3, w.shards());
        }
        assertEquals(List.of("harvest.json", "part-000000.h5", "part-000001.h5", "part-000002.h5"), list(out));
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // Shared like any output: the permissions any new folder and file of the user's get, not owner-only.
            assertEquals(Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain"))),
                    Files.getPosixFilePermissions(out), "harvest folder");
            assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain.json"))),
                    Files.getPosixFilePermissions(out.resolve("harvest.json")), "harvest.json");
        }

        try (RowFile all = RowFiles.open(out, null)) {
            assertEquals(ROWS, all.rows());
            assertEquals(D, all.dIn());
            float[] back = new float[ROWS * D];
            all.read(0, ROWS, back, 0);
            assertArrayEquals(acts, back, 0f, "activations through RowFiles");
        }
        int first = 0;
        for (int s = 0; s < 3; s++) {
            try (HdfFile h5 = new HdfFile(out.resolve(String.format("part-%06d.h5", s)))) {
                int n = Math.min(SHARD, ROWS - first);
                assertArrayEquals(java.util.Arrays.copyOfRange(ids, first, first + n),
                        (int[]) h5.getDatasetByPath(Hdf5ShardWriter.TOKEN_IDS).getData(), "token ids of shard " + s);
                assertArrayEquals(java.util.Arrays.copyOfRange(pos, first, first + n),
                        (int[]) h5.getDatasetByPath(Hdf5ShardWriter.POSITIONS).getData(), "positions of shard " + s);
                assertArrayEquals(java.util.Arrays.copyOfRange(win, first, first + n),
                        (long[]) h5.getDatasetByPath(Hdf5ShardWriter.WINDOWS).getData(), "windows of shard " + s);
                assertEquals("blocks.2.hook_resid_post",
                        h5.getDatasetByPath(Hdf5ShardWriter.ACTIVATIONS).getAttribute("hook_name").getData());
                first += n;
            }
        }
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        Path out = dir.resolve("acts");
        try (Hdf5ShardWriter w = Hdf5ShardWriter.create(out, D, 4, Map.of())) {
            w.add(new float[10 * D], new int[10], new int[10], new long[10], 10); // two shards on disk already
            assertEquals(2, w.shards());
        }
        assertFalse(Files.exists(out));
        assertEquals(List.of(), list(dir), "the hidden partial folder is removed too");
    }

    @Test
    void existingTargetAndEmptyHarvestAreBadInput() throws IOException {
        Path taken = Files.createDirectories(dir.resolve("taken"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> Hdf5ShardWriter.create(taken, D, 4, Map.of()));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());

        Path out = dir.resolve("empty");
        try (Hdf5ShardWriter w = Hdf5ShardWriter.create(out, D, 4, Map.of())) {
            assertThrows(BadInputException.class, () -> w.commit("{}"));
        }
        assertEquals(List.of("taken"), list(dir));
    }

    private static List<String> list(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
