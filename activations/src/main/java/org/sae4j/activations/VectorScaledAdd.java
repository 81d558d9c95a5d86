package org.sae4j.activations;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD body of {@link SyntheticSuperposition#addScaled}: {@code dst[i] += (float) (scale · (double) src[i])}
 * four lanes at a time. Each lane widens the float to double, multiplies in double and rounds back to float, as the
 * scalar loop does, so the two give the same bits (IEEE-exact lane operations, interpreted or compiled); only the
 * speed differs. C2 does not vectorise the scalar loop's float→double→float conversions, which made this loop most
 * of a synthetic batch's cost at d_in 768. Loaded only when {@link SyntheticSuperposition#SIMD} is true.
 */
final class VectorScaledAdd {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;  // 4 floats
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256; // the same 4, widened

    private VectorScaledAdd() {
    }

    static void addScaled(float[] dst, int dstFrom, double scale, float[] src, int srcFrom, int n) {
        int i = 0;
        for (; i <= n - FLOATS.length(); i += FLOATS.length()) {
            DoubleVector wide = (DoubleVector) FloatVector.fromArray(FLOATS, src, srcFrom + i)
                    .convertShape(VectorOperators.F2D, DOUBLES, 0);
            FloatVector product = (FloatVector) wide.mul(scale).convertShape(VectorOperators.D2F, FLOATS, 0);
            FloatVector.fromArray(FLOATS, dst, dstFrom + i).add(product).intoArray(dst, dstFrom + i);
        }
        SyntheticSuperposition.addScaled(dst, dstFrom + i, scale, src, srcFrom + i, n - i);
    }
}
