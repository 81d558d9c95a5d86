package org.sae4j.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face safetensors file (https://github.com/huggingface/safetensors, "Format"):
 * <pre>
 *   [8 bytes]  N, unsigned little-endian header length
 *   [N bytes]  UTF-8 JSON: {"__metadata__": {str: str}?, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
 *   [rest]     the data buffer; offsets are relative to its start, byte 8+N of the file; values little-endian
 * </pre>
 * The header is validated as strictly as the reference parser does before anything is sized from it, so a lying
 * header gives a {@link BadInputException} rather than a huge allocation: the header length must fit the file (and a
 * 100 MB cap), each tensor's bytes must equal shape product × dtype size, and the tensors must tile the data buffer
 * exactly, without overlaps or holes (the spec forbids holes to rule out polyglot files).
 *
 * <p>Tensor data is read on demand through positional {@link FileChannel} reads in 1 MiB chunks, never the whole
 * file at once. Positional reads keep no shared cursor, so concurrent reads of one reader are safe.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** Largest header accepted. The reference implementation caps at 100 MB too; real headers are kilobytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int CHUNK_BYTES = 1 << 20;
    /** Largest Java array the reader will size: a little under Integer.MAX_VALUE, as the JDK collections assume. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int NAMES_LISTED = 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;

    private SafetensorsReader(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw bad("file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw bad("header length " + Long.toUnsignedString(headerLen) + " is absurd (limit " + MAX_HEADER_BYTES
                    + " bytes); not a safetensors file?");
        }
        if (headerLen > fileSize - 8) {
            throw bad("header length " + headerLen + " runs past the end of the file (" + fileSize + " bytes)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(headerBuf, 8);
        this.dataStart = 8 + headerLen;
        JsonNode root = parseHeader(headerBuf.flip());
        Map<String, String> meta = new LinkedHashMap<>();
        List<TensorInfo> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                parseMetadata(e.getValue(), meta);
            } else {
                list.add(parseTensor(e.getKey(), e.getValue()));
            }
        }
        checkTiling(list, fileSize - dataStart);
        this.metadata = Collections.unmodifiableMap(meta);
        this.tensors = List.copyOf(list);
        Map<String, TensorInfo> names = new LinkedHashMap<>();
        for (TensorInfo t : list) {
            names.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(names);
    }

    /** Opens and validates {@code file}; a missing or malformed file is a {@link BadInputException} naming it. */
    public static SafetensorsReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SafetensorsReader(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The optional {@code __metadata__} map, in file order; empty if absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** All tensors in header order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}; if there is none, the error lists the names the file does hold. */
    public TensorInfo tensor(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw bad("no tensor named '" + name + "'; it holds " + listNames());
        }
        return t;
    }

    /** Reads a whole float tensor (F32, F16, BF16 or F64) as float32, flattened row-major. */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = requireFloat(tensor(name));
        long n = t.elementCount();
        if (n > MAX_ARRAY) {
            throw bad("tensor '" + name + "' has " + n + " elements, too many for one array; read it in rows");
        }
        float[] dst = new float[(int) n];
        readFloatElements(t, 0, (int) n, dst, 0);
        return dst;
    }

    /**
     * Reads rows {@code [firstRow, firstRow+rows)} of the float tensor {@code name} ([rowsTotal, cols], or more
     * dimensions read as rows of the last: {@link RowShape}) into {@code dst[dstOffset .. dstOffset + rows*cols)} as
     * float32, reading only those rows' bytes.
     */
    public void readFloatRows(String name, long firstRow, int rows, float[] dst, int dstOffset) throws IOException {
        TensorInfo t = requireFloat(tensor(name));
        RowShape shape = RowShape.of(t.shape(), file + ": tensor '" + name + "'");
        if (firstRow < 0 || rows < 0 || firstRow > shape.rows() - rows) {
            throw new IndexOutOfBoundsException("rows [" + firstRow + ", " + (firstRow + rows) + ") of tensor '"
                    + name + "' with " + shape.rows() + " rows");
        }
        long count = (long) rows * shape.width();
        if (dstOffset < 0 || count > dst.length - (long) dstOffset) {
            throw new IndexOutOfBoundsException("destination of length " + dst.length + " cannot hold " + count
                    + " floats at offset " + dstOffset);
        }
        readFloatElements(t, firstRow * shape.width(), (int) count, dst, dstOffset);
    }

    /** Reads a whole integer tensor (I64, I32, I16, I8, U32, U16, U8) as longs, flattened row-major. */
    public long[] readLongs(String name) throws IOException {
        TensorInfo t = tensor(name);
        DType d = t.dtype();
        if (d.isFloat() || d == DType.U64 || d == DType.BOOL) {
            throw bad("tensor '" + name + "' is " + d + "; readLongs needs I64, I32, I16, I8, U32, U16 or U8");
        }
        long n = t.elementCount();
        if (n > MAX_ARRAY) {
            throw bad("tensor '" + name + "' has " + n + " elements, too many for one array");
        }
        long[] dst = new long[(int) n];
        int es = d.byteSize();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, n * es)).order(ByteOrder.LITTLE_ENDIAN);
        long pos = dataStart + t.begin();
        int done = 0;
        while (done < n) {
            int k = (int) Math.min(n - done, buf.capacity() / es);
            buf.clear().limit(k * es);
            readFully(buf, pos);
            buf.flip();
            for (int i = 0; i < k; i++) {
                dst[done + i] = switch (d) {
                    case I64 -> buf.getLong();
                    case I32 -> buf.getInt();
                    case I16 -> buf.getShort();
                    case I8 -> buf.get();
                    case U32 -> buf.getInt() & 0xffffffffL;
                    case U16 -> buf.getShort() & 0xffff;
                    case U8 -> buf.get() & 0xff;
                    default -> throw new AssertionError(d);
                };
            }
            pos += (long) k * es;
            done += k;
        }
        return dst;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Converts {@code count} elements starting at element {@code first} of {@code t}, in chunks of CHUNK_BYTES. */
    private void readFloatElements(TensorInfo t, long first, int count, float[] dst, int off) throws IOException {
        DType d = t.dtype();
        int es = d.byteSize();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) count * es))
                .order(ByteOrder.LITTLE_ENDIAN);
        long pos = dataStart + t.begin() + first * es;
        int done = 0;
        while (done < count) {
            int k = Math.min(count - done, buf.capacity() / es);
            buf.clear().limit(k * es);
            readFully(buf, pos);
            buf.flip();
            int o = off + done;
            switch (d) {
                case F32 -> buf.asFloatBuffer().get(dst, o, k);
                case F16 -> {
                    for (int i = 0; i < k; i++) {
                        dst[o + i] = Float16.toFloat(buf.getShort());
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < k; i++) {
                        dst[o + i] = BFloat16.toFloat(buf.getShort());
                    }
                }
                case F64 -> {
                    for (int i = 0; i < k; i++) {
                        dst[o + i] = (float) buf.getDouble();
                    }
                }
                default -> throw new AssertionError(d);
            }
            pos += (long) k * es;
            done += k;
        }
    }

    private TensorInfo requireFloat(TensorInfo t) {
        if (!t.dtype().isFloat()) {
            throw bad("tensor '" + t.name() + "' is " + t.dtype() + "; expected a float type (F32, F16, BF16, F64)");
        }
        return t;
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw bad("file ends at byte " + pos + " while the header promised more data (truncated?)");
            }
            pos += n;
        }
    }

    private JsonNode parseHeader(ByteBuffer bytes) {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw bad("header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw bad("header does not start with '{'; not a safetensors file?");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw Json.notValid(file + ": header", e);
        }
        if (root == null || !root.isObject()) {
            throw bad("header is not a JSON object");
        }
        return root;
    }

    private void parseMetadata(JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw bad("__metadata__ is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw bad("__metadata__ value for '" + e.getKey() + "' is not a string (" + e.getValue().getNodeType()
                        + ")");
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private TensorInfo parseTensor(String name, JsonNode node) {
        if (name.isEmpty()) {
            throw bad("a tensor has an empty name");   // found by SafetensorsFuzzTest
        }
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw bad(where + " is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(where + " has no string \"dtype\"");
        }
        DType dtype = DType.fromSpecName(dtypeNode.textValue());
        if (dtype == null) {
            throw bad(where + " has unknown dtype '" + dtypeNode.textValue() + "'; known: "
                    + Arrays.toString(DType.values()));
        }
        long[] shape = longArray(node.get("shape"), where + " \"shape\"", -1);
        long[] offsets = longArray(node.get("data_offsets"), where + " \"data_offsets\"", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(where + " has data_offsets [" + begin + ", " + end + "] with end before begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw bad(where + " has shape " + Arrays.toString(shape) + " whose size overflows 64 bits");
        }
        if (bytes != end - begin) {
            throw bad(where + " has shape " + Arrays.toString(shape) + " of " + dtype + " = " + bytes
                    + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private long[] longArray(JsonNode node, String what, int length) {
        if (node == null || !node.isArray()) {
            throw bad(what + " is missing or not an array");
        }
        if (length >= 0 && node.size() != length) {
            throw bad(what + " has " + node.size() + " entries; expected " + length);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad(what + " entry " + i + " is " + v + "; expected a non-negative integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** The tensors' byte ranges must tile [0, bufferLen) exactly: no overlap, no hole, nothing past the end. */
    private void checkTiling(List<TensorInfo> list, long bufferLen) {
        for (TensorInfo t : list) {
            if (t.end() > bufferLen) {
                throw bad("tensor '" + t.name() + "' data_offsets end " + t.end() + " is past the end of the data ("
                        + bufferLen + " bytes; truncated?)");
            }
        }
        List<TensorInfo> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < cursor) {
                throw bad("tensor '" + t.name() + "' bytes [" + t.begin() + ", " + t.end() + ") overlap tensor '"
                        + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (t.begin() > cursor) {
                throw bad("data bytes [" + cursor + ", " + t.begin() + ") belong to no tensor (holes are not allowed)");
            }
            cursor = t.end();
            previous = t;
        }
        if (cursor != bufferLen) {
            throw bad("data bytes [" + cursor + ", " + bufferLen + ") at the end of the file belong to no tensor");
        }
    }

    private String listNames() {
        if (tensors.isEmpty()) {
            return "no tensors";
        }
        List<String> names = tensors.stream().map(TensorInfo::name).toList();
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_LISTED, names.size())));
        return names.size() > NAMES_LISTED ? shown + ", ... (" + names.size() + " in all)" : shown;
    }

    private BadInputException bad(String what) {
        return new BadInputException(file + ": " + what);
    }
}
