package org.sae4j.activations;

import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a NumPy {@code .npy} file (numpy/lib/format.py, "NPY format"): magic {@code \x93NUMPY}, major and
 * minor version bytes, the header length (u16 little-endian for v1.0, u32 for v2.0 and v3.0), then a Python dict
 * literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (37, 5), }} padded with spaces and a
 * newline. The array data starts right after it, at {@code dataOffset}.
 *
 * @param descr        the dtype string, e.g. {@code "<f4"}
 * @param fortranOrder true if the data is column-major
 * @param shape        the array shape; empty for a scalar
 * @param dataOffset   byte offset of the first element in the file
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape, long dataOffset) {
    /** Real headers are a few hundred bytes; this only stops a corrupt length from sizing a huge buffer. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Reads and parses the header of {@code file} through {@code channel}. */
    static NpyHeader read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(pre, 0);
        pre.flip();
        if (pre.remaining() < 10 || !pre.slice(0, 6).equals(ByteBuffer.wrap(MAGIC))) {
            throw bad(file, "does not start with the .npy magic \\x93NUMPY; not a NumPy .npy file");
        }
        int major = pre.get(6) & 0xff;
        long headerLen;
        int prefix;
        if (major == 1) {
            headerLen = pre.getShort(8) & 0xffff;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            if (pre.remaining() < 12) {
                throw bad(file, "is too short for a version " + major + " .npy header");
            }
            headerLen = pre.getInt(8) & 0xffffffffL;
            prefix = 12;
        } else {
            throw bad(file, "has .npy format version " + major + "." + (pre.get(7) & 0xff)
                    + "; supported are 1.0, 2.0 and 3.0");
        }
        if (headerLen > MAX_HEADER_BYTES || prefix + headerLen > size) {
            throw bad(file, "has a .npy header length of " + headerLen + " bytes, past the end of the file ("
                    + size + " bytes) or absurd");
        }
        ByteBuffer text = ByteBuffer.allocate((int) headerLen);
        while (text.hasRemaining() && channel.read(text, prefix + text.position()) >= 0) {
            // positional read until full; the size check above guarantees the bytes exist
        }
        // v1 and v2 headers are latin-1 (ASCII in practice); v3 allows UTF-8 in structured field names.
        String dict = new String(text.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> m;
        try {
            m = new DictParser(dict).parse();
        } catch (IllegalArgumentException e) {
            throw bad(file, "has an unreadable .npy header (" + e.getMessage() + "): " + dict.strip());
        }
        Object descr = m.get("descr");
        Object fortran = m.get("fortran_order");
        Object shape = m.get("shape");
        if (!(descr instanceof String d) || !(fortran instanceof Boolean f) || !(shape instanceof long[] s)) {
            throw bad(file, "has a .npy header without string 'descr', bool 'fortran_order' and tuple 'shape': "
                    + dict.strip());
        }
        return new NpyHeader(d, f, s, prefix + headerLen);
    }

    private static BadInputException bad(Path file, String what) {
        return new BadInputException(file + " " + what);
    }

    /** Parses the small subset of Python literals .npy headers use: a dict of str to str, bool or int tuple. */
    private static final class DictParser {
        private final String s;
        private int i;

        DictParser(String s) {
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> out = new HashMap<>();
            expect('{');
            while (peek() != '}') {
                String key = string();
                expect(':');
                out.put(key, value());
                if (peek() == ',') {
                    i++;
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at character " + i);
                }
            }
            i++;
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("unexpected value at character " + i);
        }

        private long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (peek() != ')') {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (start == i) {
                    throw new IllegalArgumentException("expected a non-negative integer at character " + i);
                }
                try {
                    dims.add(Long.parseLong(s.substring(start, i)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("dimension too large at character " + start);
                }
                if (i < s.length() && s.charAt(i) == 'L') {
                    i++;                                  // Python 2 long literal, as old numpy wrote it
                }
                if (peek() == ',') {
                    i++;
                } else if (peek() != ')') {
                    throw new IllegalArgumentException("expected ',' or ')' at character " + i);
                }
            }
            i++;
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private String string() {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw new IllegalArgumentException("expected a quoted string at character " + i);
            }
            int end = s.indexOf(q, i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string at character " + i);
            }
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at character " + i);
            }
            i++;
        }

        /** The next non-blank character (not consumed); '\0' at the end. */
        private char peek() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i < s.length() ? s.charAt(i) : '\0';
        }
    }
}
