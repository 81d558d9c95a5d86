package org.sae4j.formats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Writer → reader round trips, a file assembled byte by byte from the spec, and the writer's exact bytes. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    /** Values exactly representable in float16 and bfloat16, so every dtype round-trips bit for bit. */
    private static float[] representable(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2) * 0.25f;
        }
        return v;
    }

    @Test
    void everyWritableDtypeRoundTripsExactly() throws IOException {
        float[] a = representable(37 * 5);              // odd sizes, [37, 5]
        long[] ids = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 42};
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode \"quoted\"");
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .metadata(meta)
                .put("f32", new long[] {37, 5}, a)
                .put("f16", DType.F16, new long[] {37, 5}, a)
                .put("bf16", DType.BF16, new long[] {37, 5}, a)
                .putLongs("ids", new long[] {5}, ids)
                .put("empty", new long[] {0, 5}, new float[0])
                .put("scalar", new long[] {}, new float[] {3.5f})
                .write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(meta, r.metadata());
            assertEquals(List.of("f32", "f16", "bf16", "ids", "empty", "scalar"),
                    r.tensors().stream().map(TensorInfo::name).toList(), "tensors in insertion order");
            assertEquals(DType.F16, r.tensor("f16").dtype());
            assertArrayEquals(new long[] {37, 5}, r.tensor("bf16").shape());
            for (String name : List.of("f32", "f16", "bf16")) {
                assertArrayEquals(a, r.readFloats(name), 0f, name + " must round-trip exactly (tolerance 0)");
                float[] rows = new float[11 * 5 + 3];
                r.readFloatRows(name, 13, 11, rows, 3);  // rows [13, 24) starting mid-tensor, at dst offset 3
                for (int i = 0; i < 11 * 5; i++) {
                    assertEquals(a[13 * 5 + i], rows[3 + i], 0f, name + " row slice element " + i);
                }
            }
            assertArrayEquals(ids, r.readLongs("ids"));
            assertEquals(0, r.readFloats("empty").length);
            assertArrayEquals(new float[] {3.5f}, r.readFloats("scalar"), 0f);
        }
    }

    @Test
    void readsAFileAssembledByteByByteFromTheSpec() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"h\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[28,30]},"
                + "\"g\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[24,28]},"
                + "\"__metadata__\":{\"k\":\"v\"}}  ";
        byte[] json = header.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = json.length;
        for (int i = 0; i < 8; i++) {
            out.write((int) (n >>> (8 * i)) & 0xff);        // u64 little-endian header length
        }
        out.write(json, 0, json.length);
        float[] w = {1f, -2f, 0.5f, 3.25f, -0f, 1e-3f};
        for (float f : w) {
            int bits = Float.floatToRawIntBits(f);
            for (int i = 0; i < 4; i++) {
                out.write((bits >>> (8 * i)) & 0xff);      // f32 little-endian
            }
        }
        out.write(0x00); out.write(0x3c);                   // f16 1.0 = 0x3c00
        out.write(0x00); out.write(0xc1);                   // f16 -2.5 = 0xc100
        out.write(0x20); out.write(0xc0);                   // bf16 -2.5 = 0xc020
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, out.toByteArray());
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(Map.of("k", "v"), r.metadata());
            assertEquals(List.of("w", "h", "g"), r.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(w, r.readFloats("w"), 0f);
            assertArrayEquals(new float[] {1f, -2.5f}, r.readFloats("g"), 0f);
            assertArrayEquals(new float[] {-2.5f}, r.readFloats("h"), 0f);
            float[] row = new float[3];
            r.readFloatRows("w", 1, 1, row, 0);
            assertArrayEquals(new float[] {3.25f, -0f, 1e-3f}, row, 0f);
        }
    }

    @Test
    void writerBytesEqualWhatPythonSafetensorsWrites() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        new SafetensorsWriter().metadata(Map.of("format", "pt")).put("a", new long[] {2}, new float[] {1f, 2f})
                .write(file);
        // safetensors.torch.save_file({"a": torch.tensor([1., 2.])}, f, metadata={"format": "pt"}):
        // 85 bytes of JSON padded with 3 spaces to 88 = 0x58, then 1.0f and 2.0f little-endian.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {0x58, 0, 0, 0, 0, 0, 0, 0});
        expected.write(json.getBytes(StandardCharsets.US_ASCII));
        expected.write(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void largeTensorIsReadInChunks() throws IOException {
        int rows = 1000;
        int cols = 301;                                  // 1.2 MB of F32: more than one 1 MiB read chunk
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f;
        }
        Path file = dir.resolve("big.safetensors");
        new SafetensorsWriter().put("x", new long[] {rows, cols}, a).write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertArrayEquals(a, r.readFloats("x"), 0f);
            float[] part = new float[900 * cols];
            r.readFloatRows("x", 99, 900, part, 0);
            for (int i = 0; i < part.length; i++) {
                assertEquals(a[99 * cols + i], part[i], 0f, "element " + i);
            }
        }
    }
}
