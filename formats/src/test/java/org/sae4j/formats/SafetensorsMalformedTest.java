package org.sae4j.formats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each malformed file must give a {@link BadInputException} whose one-line message names the file and the problem.
 * The class timeout guards against hangs; the lying-length cases would OOM a reader that trusted them.
 */
@Timeout(10)
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private Path raw(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(file, bytes);
        return file;
    }

    /** A file with the given header length field, header text and {@code dataBytes} zero bytes of data. */
    private Path file(long headerLen, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(json);
        return raw(b.array());
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static void assertBad(Path file, String expectedPhrase) {
        BadInputException e = assertThrows(BadInputException.class, () -> {
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                for (TensorInfo t : r.tensors()) {
                    if (t.dtype().isFloat()) {
                        r.readFloats(t.name());
                    }
                }
            }
        });
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "message must name the file: " + m);
        assertTrue(m.contains(expectedPhrase), "message must say '" + expectedPhrase + "': " + m);
        assertFalse(m.contains("\n"), "message must be one line: " + m);
    }

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void tooShortForTheLength() throws IOException {
        assertBad(raw(new byte[] {1, 2, 3}), "too short");
    }

    @Test
    void headerLengthPastEndOfFile() throws IOException {
        assertBad(file(1000, "{" + A + "}", 8), "runs past the end of the file");
    }

    @Test
    void absurdHeaderLengthIsNotAllocated() throws IOException {
        assertBad(file(-1L, "{}", 0), "absurd");                       // 2^64-1 as unsigned
        assertBad(file(Integer.MAX_VALUE, "{}", 0), "absurd");
    }

    @Test
    void invalidJson() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":", 0), "not valid JSON");
        assertBad(file("{" + A + "," + A + "}", 8), "not valid JSON");  // duplicate key
    }

    @Test
    void notAnObjectOrNotUtf8() throws IOException {
        assertBad(file("[1,2]   ", 0), "does not start with '{'");
        byte[] b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4)
                .put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}).array();
        assertBad(raw(b), "not valid UTF-8");
    }

    @Test
    void unknownDtype() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'F128'");
    }

    @Test
    void offsetsPastTheEnd() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "past the end");
        // A huge claimed tensor must fail on validation, not on allocation.
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", 8),
                "past the end");
    }

    @Test
    void overlappingRanges() throws IOException {
        assertBad(file("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
    }

    @Test
    void holeOrTrailingBytes() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "belong to no tensor");
        assertBad(file("{" + A + "}", 12), "belong to no tensor");
    }

    @Test
    void endBeforeBegin() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "end before begin");
    }

    @Test
    void shapeDoesNotMatchByteCount() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "span 8 bytes");
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8),
                "overflows");
    }

    @Test
    void negativeOrFractionalDimension() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "non-negative integer");
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8), "non-negative integer");
    }

    @Test
    void badDataOffsets() throws IOException {
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "expected 2");
        assertBad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "\"data_offsets\" is missing");
    }

    @Test
    void emptyTensorName() throws IOException {
        assertBad(file("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "empty name");
    }

    @Test
    void metadataValueNotAString() throws IOException {
        assertBad(file("{\"__metadata__\":{\"step\":3}," + A + "}", 8), "not a string");
    }

    @Test
    void missingTensorListsTheNames() throws IOException {
        Path f = file("{" + A + "}", 8);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            BadInputException e = assertThrows(BadInputException.class, () -> r.tensor("W_enc"));
            assertTrue(e.getMessage().contains("'W_enc'") && e.getMessage().contains("holds a"), e.getMessage());
        }
    }

    @Test
    void readFloatsOfAnIntegerTensor() throws IOException {
        Path f = file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            BadInputException e = assertThrows(BadInputException.class, () -> r.readFloats("ids"));
            assertTrue(e.getMessage().contains("is I64"), e.getMessage());
        }
    }

    @Test
    void missingFile() {
        assertBad(dir.resolve("nope.safetensors"), "no such file");
    }
}
