package org.sae4j.trainer;

import java.util.Locale;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.TrainingLoss;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Checks that training has not diverged: a finite loss and gradient at every step (one ND4J sum over the gradient,
 * NaN or ±Inf if any element is, into a scalar kept for the run), finite parameters before anything is saved. On
 * failure it names the tensor and element that went bad, so the error says what diverged rather than just "NaN".
 */
final class Divergence {
    private final SaeConfig sae;
    private final Supplier<Hint> hint;             // asked only once diverged
    private final INDArray sum = Nd4j.scalar(0f); // [] scratch for the reductions

    Divergence(SaeConfig sae, Supplier<Hint> hint) {
        this.sae = sae;
        this.hint = hint;
    }

    /**
     * Throws if the loss or any gradient element is NaN or infinite. {@code gradKnownFinite}: the backward's kernels
     * already saw every element finite as they wrote it ({@code SaeWorkspace.gradientKnownFinite}), so only the loss
     * is checked.
     */
    void requireFinite(TrainingLoss.Parts loss, SaeParams grad, boolean gradKnownFinite, long step) {
        if (!Double.isFinite(loss.total())) {
            throw diverged(step, "the loss is " + loss.total() + " (" + parts(loss) + ")");
        }
        if (!gradKnownFinite && !finiteSum(grad.flat())) {
            String where = firstNonFinite(grad, sae);
            throw diverged(step, (where == null ? "the gradient is too large to sum (elements near the float32 limit)"
                    : "the gradient " + where) + " (loss " + loss.total() + ": " + parts(loss) + ")");
        }
    }

    /** Throws if any parameter is NaN or infinite (checked before a checkpoint or the final SAE is written). */
    void requireFiniteParams(SaeParams params, long step) {
        if (!finiteSum(params.flat())) {
            String where = firstNonFinite(params, sae);
            if (where != null) {
                throw diverged(step, "the parameter " + where);
            }
        }
    }

    /** Whether the float32 sum of {@code a} is finite: false if any element is NaN or infinite (or all overflow). */
    private boolean finiteSum(INDArray a) {
        Nd4j.exec(new Sum(a, sum));
        return Float.isFinite(sum.getFloat(0));
    }

    /** What the error adds after "what diverged": the intact checkpoint and the settings to change. */
    record Hint(String lastCheckpoint, double lr, boolean normalizeActivations) {
    }

    private TrainingDivergedException diverged(long step, String what) {
        Hint hint = this.hint.get();
        String kept = hint.lastCheckpoint() == null ? "no checkpoint had been written yet"
                : "the last good checkpoint, " + hint.lastCheckpoint() + ", is intact";
        String scale = hint.normalizeActivations() ? ""
                : ", or set normalize_activations to true if the activations are large";
        return new TrainingDivergedException(String.format(Locale.ROOT,
                "training diverged at step %d: %s; nothing after it was saved and %s; try a lower --lr (now %s)%s",
                step + 1, what, kept, hint.lr(), scale));
    }

    /** "of W_dec holds NaN at [3, 17]" for the first NaN/Inf element, or null if there is none after all. */
    private static String firstNonFinite(SaeParams p, SaeConfig sae) {
        for (SaeParams.TensorSpec spec : SaeParams.layout(sae)) {
            INDArray view = p.tensor(spec.name());
            float[] v = Nio.get(view); // [size of spec], C order
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    long[] shape = spec.shape();
                    String at = shape.length == 2 ? "[" + i / shape[1] + ", " + i % shape[1] + "]" : "[" + i + "]";
                    return "of " + spec.name() + " holds " + v[i] + " at " + at;
                }
            }
        }
        return null;
    }

    private static String parts(TrainingLoss.Parts loss) {
        return String.format(Locale.ROOT, "mse %s, sparsity %s, auxk %s", loss.mse(), loss.sparsity(), loss.auxK());
    }
}
