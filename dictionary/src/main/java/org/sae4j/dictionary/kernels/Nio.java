package org.sae4j.dictionary.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between ND4J arrays (off-heap) and Java arrays. A C-ordered contiguous INDArray, view or not, is a
 * run of {@code length()} floats starting at {@code offset()} in its buffer; the NIO buffer is a live view of that
 * memory (checked in the tests), so a bulk get/put is one memcpy.
 *
 * <p>A view does not keep the array's native memory alive: whoever holds a view must also hold the INDArray (or an
 * array sharing its buffer), or the garbage collector may free the memory under it (a crash, seen here).
 */
public final class Nio {
    private Nio() {
    }

    /** A live float view of {@code a}'s elements in C order. */
    public static FloatBuffer floats(INDArray a) {
        requireContiguous(a);
        return a.data().asNioFloat().slice(Math.toIntExact(a.offset()), Math.toIntExact(a.length()));
    }

    /** A live little-endian byte view of {@code a}'s elements in C order (for the Vector API's buffer loads). */
    public static ByteBuffer bytes(INDArray a) {
        requireContiguous(a);
        return a.data().asNio().slice(Math.toIntExact(4 * a.offset()), Math.toIntExact(4 * a.length()))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    public static void get(INDArray a, float[] dst) {
        floats(a).get(0, dst, 0, Math.toIntExact(a.length()));
    }

    public static float[] get(INDArray a) {
        float[] dst = new float[Math.toIntExact(a.length())];
        get(a, dst);
        return dst;
    }

    public static void put(INDArray a, float[] src) {
        floats(a).put(0, src, 0, Math.toIntExact(a.length()));
    }

    private static void requireContiguous(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a float32 array, got " + a.dataType());
        }
        if (a.rank() > 1 && a.ordering() != 'c') {
            throw new IllegalArgumentException("expected C order");
        }
        long expected = 1;
        long[] shape = a.shape();
        long[] stride = a.stride();
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                throw new IllegalArgumentException("array is not contiguous: shape "
                        + java.util.Arrays.toString(shape) + " stride " + java.util.Arrays.toString(stride));
            }
            expected *= shape[d];
        }
    }
}
