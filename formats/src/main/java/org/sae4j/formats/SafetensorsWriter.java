package org.sae4j.formats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects tensors and writes them as one safetensors file laid out as the reference implementation does:
 * 8-byte little-endian header length N, N bytes of compact JSON ({@code __metadata__} first if present, then the
 * tensors in insertion order with keys dtype, shape, data_offsets), padded with spaces so N is a multiple of 8, then
 * the tensors' bytes back to back in insertion order. Python's {@code safetensors.torch.load_file} reads the result.
 *
 * <p>The data is streamed tensor by tensor through a 64 KiB buffer, converting on the fly, into a temp file that
 * replaces the target atomically ({@link AtomicFiles}). The writer keeps references to the caller's arrays; do
 * not change them before {@link #write}.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_BYTES = 1 << 16;

    private record Entry(String name, DType dtype, long[] shape, float[] floats, long[] longs) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Map<String, String> metadata = Map.of();

    /** Adds a float32 tensor; {@code data} is row-major with shape-product elements. */
    public SafetensorsWriter put(String name, long[] shape, float[] data) {
        return put(name, DType.F32, shape, data);
    }

    /** Adds a float tensor stored as F32, F16 or BF16 (narrowing rounds to nearest even). */
    public SafetensorsWriter put(String name, DType dtype, long[] shape, float[] data) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("tensor '" + name + "': float data can be stored as F32, F16 or BF16, not "
                    + dtype);
        }
        add(new Entry(name, dtype, checkShape(name, shape, data.length), data, null));
        return this;
    }

    /** Adds an I64 tensor (token ids, counts). */
    public SafetensorsWriter putLongs(String name, long[] shape, long[] data) {
        add(new Entry(name, DType.I64, checkShape(name, shape, data.length), null, data));
        return this;
    }

    /** Sets the {@code __metadata__} map (string to string, as the spec requires); kept in the given order. */
    public SafetensorsWriter metadata(Map<String, String> metadata) {
        Map<String, String> copy = new LinkedHashMap<>();
        metadata.forEach((k, v) -> copy.put(k, v));
        if (copy.containsKey(null) || copy.containsValue(null)) {
            throw new IllegalArgumentException("metadata keys and values must be non-null");
        }
        this.metadata = copy;
        return this;
    }

    /** Writes the file atomically: either the previous {@code target} or the complete new file exists afterwards. */
    public void write(Path target) throws IOException {
        byte[] header = header();
        AtomicFiles.write(target, out -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            out.write(buf.array(), 0, 8);
            out.write(header);
            for (Entry e : entries) {
                writeData(e, buf, out);
            }
        });
    }

    /** The padded header bytes (without the 8-byte length); package-visible for the exact-bytes test. */
    byte[] header() throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().specName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            long bytes = TensorInfo.elementCount(e.shape()) * e.dtype().byteSize();
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Json.compactWriter().writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeData(Entry e, ByteBuffer buf, OutputStream out) throws IOException {
        int n = e.floats() != null ? e.floats().length : e.longs().length;
        int es = e.dtype().byteSize();
        buf.clear();
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < es) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (e.dtype()) {
                case F32 -> buf.putFloat(e.floats()[i]);
                case F16 -> buf.putShort(Float16.fromFloat(e.floats()[i]));
                case BF16 -> buf.putShort(BFloat16.fromFloat(e.floats()[i]));
                case I64 -> buf.putLong(e.longs()[i]);
                default -> throw new AssertionError(e.dtype());
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    private void add(Entry e) {
        if (!names.add(e.name())) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' was already put");
        }
        entries.add(e);
    }

    private static long[] checkShape(String name, long[] shape, int length) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("tensor name must be non-empty and not __metadata__: " + name);
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
        }
        if (TensorInfo.elementCount(shape) != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + TensorInfo.elementCount(shape) + " elements, data has " + length);
        }
        return shape.clone();
    }
}
