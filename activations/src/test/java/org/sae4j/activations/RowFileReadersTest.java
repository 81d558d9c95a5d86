package org.sae4j.activations;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.object.datatype.FloatingPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BFloat16;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Float16;
import org.sae4j.formats.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reader reads back exactly (tolerance 0: the values are exact in each stored dtype) what was written: whole,
 * from the middle, and in 7-row chunks that cross each other's boundaries, on odd sizes ([37, 5]).
 */
class RowFileReadersTest {
    static final int ROWS = 37;
    static final int D = 5;

    @TempDir
    Path dir;

    /** Reads `f` whole, in 7-row chunks, and rows [11, 30) at a destination offset; all must equal `expected`. */
    static void assertReadsBack(float[] expected, RowFile f) throws IOException {
        int d = f.dIn();
        long rows = f.rows();
        assertEquals(expected.length, rows * d, f.describe() + " size");
        float[] all = new float[expected.length];
        f.read(0, (int) rows, all, 0);
        assertArrayEquals(expected, all, 0f, f.describe() + " whole read");
        float[] chunked = new float[expected.length];
        for (int r = 0; r < rows; r += 7) {
            int n = (int) Math.min(7, rows - r);
            f.read(r, n, chunked, r * d);
        }
        assertArrayEquals(expected, chunked, 0f, f.describe() + " 7-row chunks");
        float[] mid = new float[19 * d + 2];
        f.read(11, 19, mid, 2);
        for (int i = 0; i < 19 * d; i++) {
            assertEquals(expected[11 * d + i], mid[2 + i], 0f, f.describe() + " mid read element " + i);
        }
    }

    @Test
    void npyFloat32AndFloat16AllVersions() throws IOException {
        float[] a = TestArrays.rows(ROWS, D);
        try (RowFile f = NpyRowFile.open(TestArrays.npy(dir.resolve("a.npy"), TestArrays.dict("<f4", false, ROWS, D),
                TestArrays.f4(a)))) {
            assertReadsBack(a, f);
        }
        try (RowFile f = NpyRowFile.open(TestArrays.npy(dir.resolve("h.npy"), TestArrays.dict("<f2", false, ROWS, D),
                TestArrays.f2(a)))) {
            assertReadsBack(a, f);
        }
        for (int major : new int[] {2, 3}) {
            Path p = TestArrays.npy(dir.resolve("v" + major + ".npy"), major, TestArrays.dict("=f4", false, ROWS, D),
                    TestArrays.f4(a));
            try (RowFile f = NpyRowFile.open(p)) {
                assertReadsBack(a, f);
            }
        }
        // Python 2 era header: long literals, double quotes, no trailing comma.
        Path old = TestArrays.npy(dir.resolve("old.npy"),
                "{\"descr\": \"|f4\", \"fortran_order\": False, \"shape\": (37L, 5L)}", TestArrays.f4(a));
        try (RowFile f = NpyRowFile.open(old)) {
            assertReadsBack(a, f);
        }
    }

    @Test
    void npyLargerThanOneReadChunk() throws IOException {
        int rows = 1000;
        int d = 301;                             // 1.2 MB of f4 / 0.6 MB of f2 against 1 MiB read chunks
        float[] a = new float[rows * d];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 2000) * 0.25f;           // exact in float16
        }
        try (RowFile f = NpyRowFile.open(TestArrays.npy(dir.resolve("big.npy"), TestArrays.dict("<f4", false, rows, d),
                TestArrays.f4(a)))) {
            assertReadsBack(a, f);
        }
        try (RowFile f = NpyRowFile.open(TestArrays.npy(dir.resolve("bigh.npy"), TestArrays.dict("<f2", false, rows, d),
                TestArrays.f2(a)))) {
            assertReadsBack(a, f);
        }
    }

    @Test
    void hdf5Float32WrittenByJhdf() throws IOException {
        Path p = dir.resolve("acts.h5");
        try (WritableHdfFile w = HdfFile.write(p)) {
            w.putDataset("acts", TestArrays.rows2d(ROWS, D));
            WritableGroup g = w.putGroup("meta");
            g.putDataset("tokens", new int[] {1, 2, 3});
        }
        float[] a = TestArrays.rows(ROWS, D);
        try (RowFile f = Hdf5RowFile.open(p, null)) {           // the only dataset of 2 or more dimensions
            assertReadsBack(a, f);
            assertTrue(f.describe().contains("/acts"), f.describe());
        }
        try (RowFile f = Hdf5RowFile.open(p, "/acts")) {
            assertReadsBack(a, f);
        }
    }

    /**
     * jhdf 0.13 writes only float32/float64 floats, so no float16 HDF5 file can be made here. jhdf widens float16
     * itself (FloatingPoint.toFloat) before Hdf5RowFile sees it; this checks that conversion against ours for every
     * bit pattern, which is what a float16 dataset would go through.
     */
    @Test
    void jhdfFloat16WideningAgreesWithOurs() {
        for (int h = 0; h < 0x10000; h++) {
            float theirs = FloatingPoint.toFloat((short) h);
            float ours = Float16.toFloat((short) h);
            if (Float.isNaN(ours)) {
                assertTrue(Float.isNaN(theirs), "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(Float.floatToIntBits(ours), Float.floatToIntBits(theirs), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void safetensorsEveryFloatDtype() throws IOException {
        float[] a = TestArrays.rows(ROWS, D);
        float[] aBf16 = a.clone();
        for (int i = 0; i < a.length; i++) {
            aBf16[i] = BFloat16.toFloat(BFloat16.fromFloat(a[i]));   // bf16 keeps 8 significant bits
        }
        Path p = dir.resolve("acts.safetensors");
        new SafetensorsWriter()
                .put("f32", new long[] {ROWS, D}, a)
                .put("f16", DType.F16, new long[] {ROWS, D}, a)
                .put("bf16", DType.BF16, new long[] {ROWS, D}, a)
                .write(p);
        try (RowFile f = SafetensorsRowFile.open(p, "f32")) {
            assertReadsBack(a, f);
        }
        try (RowFile f = SafetensorsRowFile.open(p, "f16")) {
            assertReadsBack(a, f);
        }
        try (RowFile f = SafetensorsRowFile.open(p, "bf16")) {
            assertReadsBack(aBf16, f);
        }
        Path one = dir.resolve("one.safetensors");
        new SafetensorsWriter().put("acts", new long[] {ROWS, D}, a).putLongs("ids", new long[] {2}, new long[] {1, 2})
                .write(one);
        try (RowFile f = RowFiles.open(one, null)) {
            assertReadsBack(a, f);
        }
    }

    @Test
    void directoryIsConcatenatedInNameOrderAcrossFormats() throws IOException {
        float[] a = TestArrays.rows(ROWS, D);
        Path shards = Files.createDirectory(dir.resolve("shards"));
        // rows [0, 10) as .npy, [10, 10) empty, [10, 25) as safetensors, [25, 37) as HDF5; names sort in that order.
        float[] p0 = java.util.Arrays.copyOfRange(a, 0, 10 * D);
        float[] p2 = java.util.Arrays.copyOfRange(a, 10 * D, 25 * D);
        TestArrays.npy(shards.resolve("part-0.npy"), TestArrays.dict("<f4", false, 10, D), TestArrays.f4(p0));
        TestArrays.npy(shards.resolve("part-1.npy"), TestArrays.dict("<f4", false, 0, D), new byte[0]);
        new SafetensorsWriter().put("x", new long[] {15, D}, p2).write(shards.resolve("part-2.safetensors"));
        float[][] p3 = new float[12][];
        for (int r = 0; r < 12; r++) {
            p3[r] = java.util.Arrays.copyOfRange(a, (25 + r) * D, (26 + r) * D);
        }
        try (WritableHdfFile w = HdfFile.write(shards.resolve("part-3.h5"))) {
            w.putDataset("x", p3);
        }
        Files.writeString(shards.resolve("README.txt"), "ignored");
        try (RowFile f = RowFiles.open(shards, null)) {
            assertInstanceOf(ConcatRowFile.class, f);
            assertReadsBack(a, f);
            assertTrue(((ConcatRowFile) f).locate(26).endsWith("part-3.h5 dataset '/x': row 1"),
                    ((ConcatRowFile) f).locate(26));
        }
    }

    /**
     * [batch, seq, d] and rank-4 arrays read as rows of their last dimension, in C order, in every format: the
     * 7-row chunks and the [11, 30) read cross the boundaries between leading indices (every 10 or 7 rows), which
     * HDF5 reads as separate hyperslabs. An error names a row by its index in the stored shape too.
     */
    @Test
    void everyReaderFlattensLeadingDimensionsIntoRows() throws IOException {
        float[] a = TestArrays.rows(40, D);   // [4, 10, D]
        float[] b = TestArrays.rows(42, D);   // [2, 3, 7, D]
        Path npy = TestArrays.npy(dir.resolve("cube.npy"),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 10, 5), }", TestArrays.f4(a));
        try (RowFile f = NpyRowFile.open(npy)) {
            assertEquals(40, f.rows());
            assertEquals(D, f.dIn());
            assertReadsBack(a, f);
            assertTrue(f.locate(23).endsWith("cube.npy: row 23 (index [2, 3])"), f.locate(23));
        }
        Path st = dir.resolve("cube.safetensors");
        new SafetensorsWriter().put("cube", new long[] {4, 10, D}, a)
                .put("hyper", DType.F16, new long[] {2, 3, 7, D}, b).write(st);
        try (RowFile f = SafetensorsRowFile.open(st, "cube")) {
            assertReadsBack(a, f);
        }
        try (RowFile f = SafetensorsRowFile.open(st, "hyper")) {
            assertEquals(42, f.rows());
            assertReadsBack(b, f);
            assertTrue(f.locate(30).endsWith("row 30 (index [1, 1, 2])"), f.locate(30));
        }
        Path h5 = dir.resolve("cube.h5");
        try (WritableHdfFile w = HdfFile.write(h5)) {
            w.putDataset("cube", nest(a, 4, 10));
            w.putDataset("hyper", new float[][][][] {nest(copy(b, 0, 21), 3, 7), nest(copy(b, 21, 42), 3, 7)});
        }
        try (RowFile f = Hdf5RowFile.open(h5, "/cube")) {
            assertEquals(40, f.rows());
            assertReadsBack(a, f);
            assertTrue(f.locate(9).endsWith("dataset '/cube': row 9 (index [0, 9])"), f.locate(9));
        }
        try (RowFile f = Hdf5RowFile.open(h5, "/hyper")) {
            assertEquals(42, f.rows());
            assertReadsBack(b, f);
        }
    }

    /** Rows [from, to) of D-wide rows in {@code flat}. */
    private static float[] copy(float[] flat, int from, int to) {
        return java.util.Arrays.copyOfRange(flat, from * D, to * D);
    }

    /** {@code flat} ([outer·inner, D]) as [outer][inner][D]. */
    private static float[][][] nest(float[] flat, int outer, int inner) {
        float[][][] out = new float[outer][inner][];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int r = o * inner + i;
                out[o][i] = java.util.Arrays.copyOfRange(flat, r * D, (r + 1) * D);
            }
        }
        return out;
    }

    @Test
    void concatRejectsDifferentWidths() {
        BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(BadInputException.class,
                () -> new ConcatRowFile(List.of(new TestArrays.ArrayRowFile(new float[6], 3),
                        new TestArrays.ArrayRowFile(new float[6], 2))));
        assertTrue(e.getMessage().contains("dIn 2") && e.getMessage().contains("dIn 3"), e.getMessage());
    }
}
