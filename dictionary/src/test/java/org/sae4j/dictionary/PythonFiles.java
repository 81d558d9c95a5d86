package org.sae4j.dictionary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes files as the Python tools write them, byte by byte from the specifications and without sae4j's writers,
 * so the readers are tested against the format rather than against themselves.
 *
 * <p>safetensors (https://github.com/huggingface/safetensors, "Format"): 8-byte little-endian header length N, N
 * bytes of UTF-8 JSON {"__metadata__": {"format": "pt"}, name: {"dtype", "shape", "data_offsets": [begin, end]}},
 * padded with spaces to a multiple of 8 as the Rust writer behind {@code safetensors.torch.save_file} pads it, then
 * the little-endian tensor bytes back to back.
 */
final class PythonFiles {
    private PythonFiles() {
    }

    /** One tensor: name, safetensors dtype (F32, F16 or BF16), shape, row-major values exact in that dtype. */
    record Tensor(String name, String dtype, long[] shape, float[] values) {
        Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + values.length);
            }
        }
    }

    static void safetensors(Path file, Tensor... tensors) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Tensor t : tensors) {
            int size = t.dtype().equals("F32") ? 4 : 2;
            ByteBuffer buf = ByteBuffer.allocate(t.values().length * size).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.values()) {
                switch (t.dtype()) {
                    case "F32" -> buf.putFloat(v);
                    case "F16" -> buf.putShort(f16(v));
                    case "BF16" -> buf.putShort(bf16(v));
                    default -> throw new IllegalArgumentException(t.dtype());
                }
            }
            long begin = data.size();
            data.write(buf.array());
            StringBuilder shape = new StringBuilder();
            for (long d : t.shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype())
                    .append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[").append(begin).append(',')
                    .append(data.size()).append("]}");
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(len.array());
        out.write(json);
        out.write(data.toByteArray());
        Files.createDirectories(file.getParent());
        Files.write(file, out.toByteArray());
    }

    /** A text file exactly as given (cfg.json as Python's {@code json.dump} writes it: one line, ", " and ": "). */
    static void text(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** IEEE binary16 bits of a normal value exact in half precision (asserted): sign, exponent − 112, top 10 bits. */
    static short f16(float v) {
        int bits = Float.floatToIntBits(v);
        if (v == 0f) {
            return (short) ((bits >>> 16) & 0x8000);
        }
        int exp = ((bits >>> 23) & 0xff) - 127;
        if (exp < -14 || exp > 15 || (bits & 0x1fff) != 0) {
            throw new IllegalArgumentException(v + " is not a normal half-precision value");
        }
        return (short) (((bits >>> 16) & 0x8000) | ((exp + 15) << 10) | ((bits >>> 13) & 0x3ff));
    }

    /** bfloat16 bits of a value exact in bfloat16 (asserted): the top half of its float32 bits. */
    static short bf16(float v) {
        int bits = Float.floatToIntBits(v);
        if ((bits & 0xffff) != 0) {
            throw new IllegalArgumentException(v + " is not exact in bfloat16");
        }
        return (short) (bits >>> 16);
    }

    /** n values that are multiples of 1/8 in [−1.75, 1.75]: exact in F32, F16 and BF16; {@code salt} varies them. */
    static float[] eighths(int n, int salt) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (((i + salt) * 37 + salt * 11) % 29 - 14) / 8f;
        }
        return a;
    }
}
