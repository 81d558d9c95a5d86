package org.sae4j.formats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** float16 and bfloat16 conversions against hand-computed IEEE bit patterns. All comparisons are exact (bits). */
class HalfFloatTest {

    private static void f16(int expectedBits, float value) {
        assertEquals(expectedBits, Float16.fromFloat(value) & 0xffff,
                () -> "fromFloat(" + value + ") = 0x" + Integer.toHexString(Float16.fromFloat(value) & 0xffff));
    }

    @Test
    void float16KnownValues() {
        f16(0x3c00, 1.0f);
        f16(0xc100, -2.5f);
        f16(0x7bff, 65504f);                      // largest finite half
        f16(0x0001, 0x1p-24f);                    // smallest subnormal
        f16(0x03ff, 1023 * 0x1p-24f);             // largest subnormal
        f16(0x0400, 0x1p-14f);                    // smallest normal
        f16(0x0000, 0f);
        f16(0x8000, -0f);
        f16(0x7c00, Float.POSITIVE_INFINITY);
        f16(0xfc00, Float.NEGATIVE_INFINITY);
        f16(0x7c00, 1e6f);                        // overflow
        f16(0x0000, 1e-10f);                      // underflow
        assertEquals(1.0f, Float16.toFloat((short) 0x3c00));
        assertEquals(-2.5f, Float16.toFloat((short) 0xc100));
        assertEquals(65504f, Float16.toFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xfc00));
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7e00)));
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7c01)));
        int nan = Float16.fromFloat(Float.NaN) & 0xffff;
        assertTrue((nan & 0x7c00) == 0x7c00 && (nan & 0x3ff) != 0, "NaN must stay NaN: 0x" + Integer.toHexString(nan));
    }

    @Test
    void float16RoundsTiesToEven() {
        f16(0x3c00, 1f + 0x1p-11f);               // halfway 1.0 (even) and 1+2^-10 (odd) -> 1.0
        f16(0x3c02, 1f + 3 * 0x1p-11f);           // halfway 1+2^-10 (odd) and 1+2^-9 (even) -> up
        f16(0x3c01, 1f + 0x1p-11f + 0x1p-20f);    // just above the tie -> up
        f16(0x7bff, 65519f);                      // below the 65520 midpoint -> max finite
        f16(0x7c00, 65520f);                      // midpoint, max finite is odd -> inf
        f16(0x0000, 0x1p-25f);                    // halfway 0 (even) and smallest subnormal -> 0
        f16(0x0001, 0x1p-25f * 1.0001f);          // just above -> smallest subnormal
        f16(0x0002, 3 * 0x1p-25f);                // halfway subnormals 1 (odd) and 2 (even) -> 2
        f16(0x0400, 1023.5f * 0x1p-24f);          // halfway largest subnormal (odd) and smallest normal -> normal
    }

    @Test
    void float16EveryNonNaNBitPatternRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
                continue;
            }
            float f = Float16.toFloat((short) h);
            assertEquals(h, Float16.fromFloat(f) & 0xffff, "half 0x" + Integer.toHexString(h) + " -> " + f);
        }
    }

    private static void bf16(int expectedBits, float value) {
        assertEquals(expectedBits, BFloat16.fromFloat(value) & 0xffff,
                () -> "fromFloat(" + value + ") = 0x" + Integer.toHexString(BFloat16.fromFloat(value) & 0xffff));
    }

    @Test
    void bfloat16KnownValues() {
        bf16(0x3f80, 1.0f);
        bf16(0xc020, -2.5f);
        bf16(0x0001, Float.intBitsToFloat(0x00010000));    // smallest bf16 subnormal
        bf16(0x7f80, Float.POSITIVE_INFINITY);
        bf16(0xff80, Float.NEGATIVE_INFINITY);
        bf16(0x7f80, Float.MAX_VALUE);                     // above the last midpoint -> inf
        bf16(0x3f80, 1f + 0x1p-8f);                        // tie, 1.0 is even -> down
        bf16(0x3f82, 1f + 3 * 0x1p-8f);                    // tie, odd below -> up
        bf16(0x3f81, 1f + 0x1p-8f + 0x1p-20f);             // above the tie -> up
        assertEquals(1.0f, BFloat16.toFloat((short) 0x3f80));
        assertEquals(-2.5f, BFloat16.toFloat((short) 0xc020));
        assertEquals(Float.intBitsToFloat(0x00010000), BFloat16.toFloat((short) 0x0001));
        assertTrue(Float.isNaN(BFloat16.toFloat((short) 0x7fc0)));
        // A NaN whose payload sits only in the low 16 bits must not truncate to inf.
        assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))));
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7f80) == 0x7f80 && (h & 0x7f) != 0) {
                continue;
            }
            assertEquals(h, BFloat16.fromFloat(BFloat16.toFloat((short) h)) & 0xffff, "bf16 0x" + Integer.toHexString(h));
        }
    }
}
