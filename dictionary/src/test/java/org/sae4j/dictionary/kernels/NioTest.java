package org.sae4j.dictionary.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sae4j.dictionary.kernels.TestData.gaussian;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** NIO views of ND4J arrays are live and start at the view's offset (asNio* alone returns the whole buffer). */
class NioTest {
    @Test
    void copiesRespectViewOffsets() {
        INDArray flat = Nd4j.create(DataType.FLOAT, 1, 40);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 22)).reshape('c', 3, 4);
        float[] src = gaussian(12, 9);
        Nio.put(view, src);
        for (int i = 0; i < 12; i++) {
            assertEquals(src[i], flat.getFloat(0, 10 + i), "element " + i + " lands at offset 10");
        }
        assertEquals(0f, flat.getFloat(0, 9));
        assertEquals(0f, flat.getFloat(0, 22));
        assertArrayEquals(src, Nio.get(view));
    }

    @Test
    void byteViewIsLittleEndianAndStartsAtTheOffset() {
        INDArray flat = Nd4j.create(DataType.FLOAT, 1, 40);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 22));
        ByteBuffer bytes = Nio.bytes(view);
        assertEquals(48, bytes.capacity());
        bytes.putFloat(4, 2.5f);
        assertEquals(2.5f, flat.getFloat(0, 11), "byte 4 of the view is element 11 of the whole");
    }
}
