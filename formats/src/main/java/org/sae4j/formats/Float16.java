package org.sae4j.formats;

/**
 * IEEE 754 binary16 ("half", safetensors F16, numpy {@code <f2}) to and from float32. Java 17 has no
 * {@code Float.float16ToFloat}, so this is written out: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
 * Narrowing rounds to nearest, ties to even, as numpy's {@code astype(float16)} and torch's {@code .half()} do.
 */
public final class Float16 {
    private Float16() {
    }

    /** Widens the 16 low bits of {@code bits} to float32; exact for every half value (subnormals, inf, NaN too). */
    public static float toFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            // Zero or subnormal: value = mant * 2^-24, exact in float32.
            float f = mant * 0x1p-24f;
            return (sign != 0) ? -f : f;
        }
        if (exp == 0x1f) {
            // Inf (mant 0) or NaN; keep the NaN payload in the top mantissa bits.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Narrows float32 to half bits, round to nearest even; overflow gives ±inf, NaN stays a (quiet) NaN. */
    public static short fromFloat(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int abs = f & 0x7fffffff;
        if (abs >= 0x7f800000) {
            if (abs == 0x7f800000) {
                return (short) (sign | 0x7c00);
            }
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        // 65520 = 0x477ff000 is the midpoint between 65504 (max half, odd mantissa) and 2^16: ties to even -> inf.
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        int biasedExp = abs >>> 23;
        if (biasedExp <= 112) {
            // Result is subnormal or zero: count in units of 2^-24. 2^-25 exactly is a tie between 0 and 2^-24 -> 0.
            if (abs <= 0x33000000) {
                return (short) sign;
            }
            int mant = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - biasedExp;            // in [14, 24]
            int result = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (result & 1) == 1)) {
                result++;                           // may carry into the smallest normal, which is the right answer
            }
            return (short) (sign | result);
        }
        int result = ((biasedExp - 127 + 15) << 10) | ((abs >>> 13) & 0x3ff);
        int rem = abs & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (result & 1) == 1)) {
            result++;                               // carry into the exponent is correct rounding
        }
        return (short) (sign | result);
    }
}
