package org.sae4j.dictionary;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sae4j.formats.TensorInfo;

/**
 * The SAE's tensors as views into one flat float32 vector, in the order of {@link #layout} (W_enc | b_enc | W_dec |
 * b_dec for standard and TopK; W_enc | b_gate | r_mag | b_mag | W_dec | b_dec for gated; W_enc | b_enc | W_dec |
 * b_dec | threshold for JumpReLU, BatchTopK and Matryoshka). One flat
 * vector lets a single ND4J Adam updater step every parameter at once and makes a checkpoint one tensor; gradients
 * use the same layout.
 *
 * @param flat   [1, parameterCount]
 * @param wEnc   [dIn, dSae]
 * @param bEnc   [1, dSae]; null for Gated, whose encoder biases are b_gate and b_mag
 * @param wDec   [dSae, dIn]
 * @param bDec   [1, dIn]
 * @param byName every tensor of {@link #layout} by its name, including those without an accessor of their own
 *               (JumpReLU's {@code threshold}: {@link #threshold()})
 */
public record SaeParams(INDArray flat, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec,
        Map<String, INDArray> byName) {

    /**
     * One parameter tensor as files name and shape it: the SAELens v6 state-dict key and its shape there (1-D
     * biases are {@code [n]} in files and {@code [1, n]} as views here).
     */
    public record TensorSpec(String name, long... shape) {
        public TensorSpec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public long size() {
            return TensorInfo.elementCount(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    /**
     * The parameter tensors of an SAE with {@code config}, in the order they lie in the flat vector. This is the one
     * place that says which tensors an architecture has: the formats read and write exactly these, by these names
     * (SAELens's), so an architecture with more (JumpReLU's {@code threshold} [d_sae]) or other ones (Gated's
     * {@code b_gate}, {@code r_mag}, {@code b_mag} in place of {@code b_enc}) adds its case here; its views are then in
     * {@link #byName}.
     */
    public static List<TensorSpec> layout(SaeConfig config) {
        long dIn = config.dIn();
        long dSae = config.dSae();
        Architecture a = config.architecture();
        if (a instanceof Architecture.Standard || a instanceof Architecture.TopK) {
            return standardLayout(dIn, dSae);
        }
        if (a instanceof Architecture.Gated) {
            return gatedLayout(dIn, dSae);
        }
        if (a instanceof Architecture.JumpReLU || a instanceof Architecture.BatchTopK
                || a instanceof Architecture.MatryoshkaBatchTopK) {
            return jumpReluLayout(dIn, dSae);
        }
        throw new AssertionError("no parameter layout for " + a);
    }

    /**
     * SAELens {@code jumprelu}: the standard tensors then {@code threshold [d_sae]}, θ itself (SAELens trains log θ
     * and saves θ; sae4j trains θ directly and keeps it ≥ 0). BatchTopK keeps its running threshold here too, so a
     * checkpoint holds it and saving as {@code jumprelu} needs no conversion.
     */
    private static List<TensorSpec> jumpReluLayout(long dIn, long dSae) {
        return List.of(
                new TensorSpec("W_enc", dIn, dSae),
                new TensorSpec("b_enc", dSae),
                new TensorSpec("W_dec", dSae, dIn),
                new TensorSpec("b_dec", dIn),
                new TensorSpec("threshold", dSae));
    }

    private static List<TensorSpec> standardLayout(long dIn, long dSae) {
        return List.of(
                new TensorSpec("W_enc", dIn, dSae),
                new TensorSpec("b_enc", dSae),
                new TensorSpec("W_dec", dSae, dIn),
                new TensorSpec("b_dec", dIn));
    }

    /** SAELens {@code gated}'s state dict: no b_enc; b_gate, r_mag (log of the magnitude path's scale), b_mag. */
    private static List<TensorSpec> gatedLayout(long dIn, long dSae) {
        return List.of(
                new TensorSpec("W_enc", dIn, dSae),
                new TensorSpec("b_gate", dSae),
                new TensorSpec("r_mag", dSae),
                new TensorSpec("b_mag", dSae),
                new TensorSpec("W_dec", dSae, dIn),
                new TensorSpec("b_dec", dIn));
    }

    public static SaeParams zeros(SaeConfig config) {
        return over(Nd4j.create(DataType.FLOAT, 1, config.parameterCount()), config);
    }

    /** Views of {@code flat} laid out for {@code config}, as {@link #layout} orders them. */
    public static SaeParams over(INDArray flat, SaeConfig config) {
        long expected = config.parameterCount();
        if (flat.length() != expected) {
            throw new IllegalArgumentException("flat vector holds " + flat.length() + " values, the SAE needs "
                    + expected);
        }
        Map<String, INDArray> views = new LinkedHashMap<>();
        long at = 0;
        for (TensorSpec spec : layout(config)) {
            long[] shape = spec.shape();
            long[] viewShape = shape.length == 1 ? new long[] {1, shape[0]} : shape;
            views.put(spec.name(), slice(flat, at, spec.size()).reshape('c', viewShape));
            at += spec.size();
        }
        return new SaeParams(flat, views.get("W_enc"), views.get("b_enc"), views.get("W_dec"), views.get("b_dec"),
                Collections.unmodifiableMap(views));
    }

    /** [1, dSae] JumpReLU's θ (and BatchTopK's running threshold), or null for architectures without one. */
    public INDArray threshold() {
        return byName.get("threshold");
    }

    /** The view of the tensor {@code name} of {@link #layout}. */
    public INDArray tensor(String name) {
        INDArray view = byName.get(name);
        if (view == null) {
            throw new IllegalArgumentException("no parameter tensor named " + name);
        }
        return view;
    }

    private static INDArray slice(INDArray flat, long from, long length) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + length));
    }
}
