package org.sae4j.activations;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed or unsuitable activation files give a one-line BadInputException that names the file and the problem. */
@Timeout(20)
class RowFileErrorsTest {
    @TempDir
    Path dir;

    private static void assertBad(String fileName, String phrase, Executable open) {
        BadInputException e = assertThrows(BadInputException.class, open);
        String m = e.getMessage();
        assertTrue(m.contains(fileName), "message must name " + fileName + ": " + m);
        assertTrue(m.contains(phrase), "message must say '" + phrase + "': " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    private Path npy(String name, String dict, int dataBytes) throws IOException {
        return TestArrays.npy(dir.resolve(name), dict, new byte[dataBytes]);
    }

    @Test
    void npyProblems() throws IOException {
        Path fortran = npy("fortran.npy", TestArrays.dict("<f4", true, 3, 2), 24);
        assertBad("fortran.npy", "Fortran", () -> NpyRowFile.open(fortran).close());
        Path rank1 = npy("rank1.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", 24);
        assertBad("rank1.npy", "has shape [6]; expected [rows, d_in] or more dimensions whose last is d_in",
                () -> NpyRowFile.open(rank1).close());
        Path rank3 = npy("rank3.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", 80);
        assertBad("rank3.npy", "truncated", () -> NpyRowFile.open(rank3).close()); // [2, 3, 4] needs 96 bytes
        Path flatLie = npy("lie3.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2), }", 8);
        assertBad("lie3.npy", "row count overflows", () -> NpyRowFile.open(flatLie).close());
        Path big = npy("big.npy", TestArrays.dict(">f4", false, 3, 2), 24);
        assertBad("big.npy", "big-endian", () -> NpyRowFile.open(big).close());
        Path f8 = npy("f8.npy", TestArrays.dict("<f8", false, 3, 2), 48);
        assertBad("f8.npy", "dtype '<f8'", () -> NpyRowFile.open(f8).close());
        Path i4 = npy("i4.npy", TestArrays.dict("<i4", false, 3, 2), 24);
        assertBad("i4.npy", "dtype '<i4'", () -> NpyRowFile.open(i4).close());
        Path shortData = npy("short.npy", TestArrays.dict("<f4", false, 3, 2), 20);
        assertBad("short.npy", "truncated", () -> NpyRowFile.open(shortData).close());
        Path lying = npy("lying.npy", TestArrays.dict("<f4", false, 1L << 42, 1L << 22), 24);   // 2^64 bytes
        assertBad("lying.npy", "overflows", () -> NpyRowFile.open(lying).close());
        Path garbage = npy("garbage.npy", "{'descr': '<f4', 'shape': [3, 2]}", 24);
        assertBad("garbage.npy", "unreadable .npy header", () -> NpyRowFile.open(garbage).close());
        Path notNpy = Files.writeString(dir.resolve("text.npy"), "hello, world");
        assertBad("text.npy", "magic", () -> NpyRowFile.open(notNpy).close());
    }

    @Test
    void hdf5Problems() throws IOException {
        Path p = dir.resolve("many.h5");
        try (WritableHdfFile w = HdfFile.write(p)) {
            w.putDataset("a", new float[][] {{1, 2}, {3, 4}});
            w.putDataset("b", new float[][] {{1, 2}, {3, 4}});
            w.putDataset("ints", new int[][] {{1, 2}, {3, 4}});
            w.putDataset("flat", new float[] {1, 2, 3});
        }
        assertBad("many.h5", "3 datasets of two or more dimensions", () -> Hdf5RowFile.open(p, null).close());
        assertBad("many.h5", "no dataset '/acts'; it holds /a [2, 2]", () -> Hdf5RowFile.open(p, "/acts").close());
        assertBad("many.h5", "expected [rows, d_in]", () -> Hdf5RowFile.open(p, "flat").close());
        assertBad("many.h5", "expected float32", () -> Hdf5RowFile.open(p, "ints").close());
        Path notH5 = Files.writeString(dir.resolve("text.h5"), "not hdf5 at all, just some text here");
        assertBad("text.h5", "not a readable HDF5 file", () -> Hdf5RowFile.open(notH5, null).close());
    }

    @Test
    void safetensorsProblems() throws IOException {
        Path p = dir.resolve("two.safetensors");
        new SafetensorsWriter().put("a", new long[] {2, 2}, new float[4]).put("b", new long[] {2, 2}, new float[4])
                .putLongs("ids", new long[] {2, 1}, new long[2]).put("v", new long[] {4}, new float[4]).write(p);
        assertBad("two.safetensors", "3 tensors of two or more dimensions", () -> SafetensorsRowFile.open(p, null).close());
        assertBad("two.safetensors", "no tensor named 'c'", () -> SafetensorsRowFile.open(p, "c").close());
        assertBad("two.safetensors", "is I64", () -> SafetensorsRowFile.open(p, "ids").close());
        assertBad("two.safetensors", "expected [rows, d_in]", () -> SafetensorsRowFile.open(p, "v").close());
    }

    @Test
    void rowFilesProblems() throws IOException {
        assertBad("missing.npy", "no such file", () -> RowFiles.open(dir.resolve("missing.npy"), null).close());
        Path csv = Files.writeString(dir.resolve("acts.csv"), "1,2");
        assertBad("acts.csv", "unknown activation file type '.csv'", () -> RowFiles.open(csv, null).close());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertBad("empty", "holds no", () -> RowFiles.open(empty, null).close());
    }
}
