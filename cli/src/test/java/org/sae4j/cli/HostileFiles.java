package org.sae4j.cli;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.sae4j.formats.SafetensorsWriter;

/** Byte-level makers of the small files HostileInputTest feeds the CLI: raw bytes, cut files, lying headers. */
final class HostileFiles {
    private HostileFiles() {
    }

    static float[] rows(int n, int dIn) {
        float[] v = new float[n * dIn];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) + (i % dIn) * 0.01f;
        }
        return v;
    }

    static Path raw(Path dir, String name, int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Files.write(dir.resolve(name), b);
    }

    static Path text(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    static Path cut(Path file, int keep) throws IOException {
        return Files.write(file, Arrays.copyOf(Files.readAllBytes(file), keep));
    }

    /** A safetensors file: 8-byte length field {@code headerLen}, the header text, {@code dataBytes} zero bytes. */
    static Path st(Path dir, long headerLen, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(json);
        return Files.write(dir.resolve("a.safetensors"), b.array());
    }

    static Path st(Path dir, String header, int dataBytes) throws IOException {
        return st(dir, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    @FunctionalInterface
    interface Fill {
        SafetensorsWriter fill(SafetensorsWriter w);
    }

    static Path write(Path dir, String name, Fill fill) throws IOException {
        Path p = dir.resolve(name);
        fill.fill(new SafetensorsWriter()).write(p);
        return p;
    }

    static String dict(String descr, long rows, long cols) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    }

    static Path npy(Path dir, int major, String dict, int dataBytes) throws IOException {
        return npy(dir, major, dict, new byte[dataBytes]);
    }

    /** A .npy file of format version {@code major} (numpy/lib/format.py): magic, version, length, dict, data. */
    static Path npy(Path dir, int major, String dict, byte[] data) throws IOException {
        int prefix = major == 1 ? 10 : 12;
        String padded = dict + " ".repeat((64 - (prefix + dict.length() + 1) % 64) % 64) + "\n";
        byte[] header = padded.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) header.length);
        } else {
            b.putInt(header.length);
        }
        b.put(header).put(data);
        return Files.write(dir.resolve("a.npy"), b.array());
    }

    static byte[] f4(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    @FunctionalInterface
    interface H5 {
        void fill(WritableHdfFile w);
    }

    static Path hdf5(Path dir, H5 fill) {
        Path p = dir.resolve("a.h5");
        try (WritableHdfFile w = HdfFile.write(p)) {
            fill.fill(w);
        }
        return p;
    }
}
