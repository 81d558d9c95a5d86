package org.sae4j.activations;

import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Float16;
import org.sae4j.formats.RowShape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * A C-order float32 or float16 {@code .npy} array read in chunks by positional reads, so files larger than memory
 * stream: [rows, dIn], or [batch, seq, dIn] and other ranks read as rows of the last dimension ({@link RowShape}).
 * Accepted descr: {@code <f4}, {@code <f2}, and {@code =}/{@code |} in place of {@code <} (numpy reads both as native
 * order, which is little-endian on every platform this runs on). Positional reads keep no shared cursor, so a prefetch
 * thread may read while another thread does.
 */
public final class NpyRowFile implements ShapedRowFile {
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataOffset;
    private final boolean half;
    private final RowShape rowShape;

    private NpyRowFile(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        NpyHeader h = NpyHeader.read(file, channel);
        String descr = h.descr();
        if (descr.length() == 3 && descr.charAt(0) == '>' && descr.charAt(1) == 'f') {
            throw bad("is big-endian (descr '" + descr + "'); save it little-endian, e.g. arr.astype('<f4')");
        }
        boolean nativeOk = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        String order = descr.isEmpty() ? "" : descr.substring(0, 1);
        String type = descr.isEmpty() ? "" : descr.substring(1);
        boolean littleEndian = order.equals("<") || (nativeOk && (order.equals("=") || order.equals("|")));
        if (!littleEndian || !(type.equals("f4") || type.equals("f2"))) {
            throw bad("has dtype '" + descr + "'; supported are float32 '<f4' and float16 '<f2'");
        }
        this.half = type.equals("f2");
        if (h.fortranOrder()) {
            throw bad("is in Fortran (column-major) order; save it C-ordered, e.g. np.ascontiguousarray(arr)");
        }
        long[] shape = h.shape();
        this.rowShape = RowShape.of(shape, file.toString());
        this.dataOffset = h.dataOffset();
        int es = half ? 2 : 4;
        long need;
        try {
            need = Math.multiplyExact(Math.multiplyExact(rowShape.rows(), (long) rowShape.width()), es);
        } catch (ArithmeticException e) {
            throw bad("has shape " + Arrays.toString(shape) + " whose size overflows 64 bits");
        }
        long have = channel.size() - dataOffset;
        if (have < need) {
            throw bad("holds " + have + " data bytes but shape " + Arrays.toString(shape) + " of '" + descr
                    + "' needs " + need + " (truncated?)");
        }
    }

    /** Opens and validates the header of {@code file}. */
    public static NpyRowFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new NpyRowFile(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void read(long first, int count, float[] dst, int dstOffset) throws IOException {
        int dIn = dIn();
        Objects.checkFromIndexSize(first, count, rows());
        long n = (long) count * dIn;
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        int es = half ? 2 : 4;
        int chunkElems = (int) Math.max(1, Math.min(n, CHUNK_BYTES / es));
        ByteBuffer buf = ByteBuffer.allocate(chunkElems * es).order(ByteOrder.LITTLE_ENDIAN);
        long pos = dataOffset + first * dIn * es;
        long done = 0;
        while (done < n) {
            int k = (int) Math.min(n - done, chunkElems);
            buf.clear().limit(k * es);
            while (buf.hasRemaining()) {
                int r = channel.read(buf, pos + buf.position());
                if (r < 0) {
                    throw bad("ends before row " + (first + count) + " (truncated while open?)");
                }
            }
            buf.flip();
            int o = (int) (dstOffset + done);
            if (half) {
                for (int i = 0; i < k; i++) {
                    dst[o + i] = Float16.toFloat(buf.getShort());
                }
            } else {
                buf.asFloatBuffer().get(dst, o, k);
            }
            pos += (long) k * es;
            done += k;
        }
    }

    @Override
    public RowShape rowShape() {
        return rowShape;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private BadInputException bad(String what) {
        return new BadInputException(file + " " + what);
    }
}
