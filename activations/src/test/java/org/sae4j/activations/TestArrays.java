package org.sae4j.activations;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test data: rows whose values say where they came from, and .npy files assembled by hand from the NPY spec. */
final class TestArrays {
    private TestArrays() {
    }

    /** Value of row r, column c: exact in float32 and float16 for r < 256, c < 8. */
    static float value(long r, int c) {
        return r * 8 + c + 0.5f;
    }

    /** [rows, dIn] row-major of {@link #value}. */
    static float[] rows(int rows, int dIn) {
        float[] a = new float[rows * dIn];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dIn; c++) {
                a[r * dIn + c] = value(r, c);
            }
        }
        return a;
    }

    static float[][] rows2d(int rows, int dIn) {
        float[][] a = new float[rows][dIn];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dIn; c++) {
                a[r][c] = value(r, c);
            }
        }
        return a;
    }

    /**
     * Writes a version-1.0 .npy file per numpy/lib/format.py: magic, version 1.0, u16 LE header length, the dict
     * literal padded with spaces and ended by a newline so that the data starts at a multiple of 64, then data.
     */
    static Path npy(Path file, String dict, byte[] data) throws IOException {
        return npy(file, 1, dict, data);
    }

    static Path npy(Path file, int major, String dict, byte[] data) throws IOException {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((prefix + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) header.length);
        } else {
            b.putInt(header.length);
        }
        b.put(header).put(data);
        Files.write(file, b.array());
        return file;
    }

    static byte[] f4(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] f2(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(a.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) {
            b.putShort(org.sae4j.formats.Float16.fromFloat(v));
        }
        return b.array();
    }

    static String dict(String descr, boolean fortran, long rows, long cols) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + rows + ", " + cols + "), }";
    }

    /** In-memory RowFile for the shuffle tests. */
    static final class ArrayRowFile implements RowFile {
        final float[] data;
        final int dIn;
        boolean closed;

        ArrayRowFile(float[] data, int dIn) {
            this.data = data;
            this.dIn = dIn;
        }

        @Override
        public int dIn() {
            return dIn;
        }

        @Override
        public long rows() {
            return data.length / dIn;
        }

        @Override
        public void read(long first, int count, float[] dst, int dstOffset) {
            System.arraycopy(data, (int) first * dIn, dst, dstOffset, count * dIn);
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
