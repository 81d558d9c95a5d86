package org.sae4j.formats;

/**
 * bfloat16 (safetensors BF16): the top 16 bits of a float32 (1 sign, 8 exponent, 7 mantissa bits), so widening is a
 * shift and narrowing rounds the dropped 16 bits to nearest, ties to even, as torch's {@code .bfloat16()} does.
 */
public final class BFloat16 {
    private BFloat16() {
    }

    /** Widens exactly (subnormals, inf and NaN included). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Narrows with round to nearest even; values past the largest bfloat16 become ±inf, NaN stays a quiet NaN. */
    public static short fromFloat(float value) {
        int f = Float.floatToRawIntBits(value);
        if ((f & 0x7fffffff) > 0x7f800000) {
            // NaN: truncation could clear every mantissa bit and turn it into inf, so force the quiet bit.
            return (short) ((f >>> 16) | 0x0040);
        }
        int roundingBias = 0x7fff + ((f >>> 16) & 1);
        return (short) ((f + roundingBias) >>> 16);
    }
}
