package org.sae4j.activations;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD body of {@link SyntheticSuperposition#addScaled}: {@code dst[i] += (float) (scale · (double) src[i])}
 * one float vector at a time. Each lane widens the float to double, multiplies in double and rounds back to float,
 * as the scalar loop does, so the two give the same bits (IEEE-exact lane operations, interpreted or compiled); only
 * the speed differs. C2 does not vectorise the scalar loop's float→double→float conversions, which made this loop
 * most of a synthetic batch's cost at d_in 768. Loaded only when {@link SyntheticSuperposition#SIMD} is true.
 *
 * <p>Only the preferred species, the ones the dictionary's kernels use: a float vector of another shape anywhere in
 * the JVM (this class once widened 4-float vectors) pollutes the type profiles inside the Vector API's shared
 * methods, after which C2 could no longer intrinsify some of those kernels' vector stores and top-k ran 3× slower
 * in training (72 ms instead of 22 at 4096×16384). So each float vector is widened in two halves and the halves'
 * products put back together.
 */
final class VectorScaledAdd {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED; // half as many lanes
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(FLOATS, -1L << DOUBLES.length());

    private VectorScaledAdd() {
    }

    static void addScaled(float[] dst, int dstFrom, double scale, float[] src, int srcFrom, int n) {
        int i = 0;
        for (; i <= n - FLOATS.length(); i += FLOATS.length()) {
            FloatVector f = FloatVector.fromArray(FLOATS, src, srcFrom + i);
            DoubleVector lower = (DoubleVector) f.convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector upper = (DoubleVector) f.convertShape(VectorOperators.F2D, DOUBLES, 1);
            // Rounded back to float: the lower half's products in the lower lanes (part 0), the upper half's in
            // the upper lanes (part −1); the other lanes of each are zero and are not used.
            FloatVector lowerProduct = (FloatVector) lower.mul(scale).convertShape(VectorOperators.D2F, FLOATS, 0);
            FloatVector upperProduct = (FloatVector) upper.mul(scale).convertShape(VectorOperators.D2F, FLOATS, -1);
            FloatVector.fromArray(FLOATS, dst, dstFrom + i).add(lowerProduct.blend(upperProduct, UPPER_HALF))
                    .intoArray(dst, dstFrom + i);
        }
        SyntheticSuperposition.addScaled(dst, dstFrom + i, scale, src, srcFrom + i, n - i);
    }
}
