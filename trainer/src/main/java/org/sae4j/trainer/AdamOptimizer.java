package org.sae4j.trainer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ND4J's Adam over the SAE's flat parameter vector (the project uses ND4J's updaters rather than its own): its
 * {@code adam_updater} op, the one {@code org.nd4j.linalg.learning.AdamUpdater.applyUpdater} runs, then ND4J's
 * subtraction. Both are called through an op context kept from step to step, with the arrays bound once, because
 * building the op afresh each step as {@code applyUpdater} and {@code subi} do allocates ~14 KB of heap per step
 * against ~2 KB this way (bench {@code ProfileStep}); the results are bitwise the updater's
 * ({@code AdamOptimizerTest}). The moments live in one state array laid out as the updater's (m, then v) so a
 * checkpoint saves and restores them exactly; the learning rate is {@link Schedules}'s pure function of the step.
 */
public final class AdamOptimizer {
    private final TrainConfig config;
    private final INDArray state; // [1, 2 · nParams]: m, then v
    private final INDArray m;     // [1, nParams] view of state
    private final INDArray v;     // [1, nParams] view of state
    private final AdamUpdater adamOp = new AdamUpdater();
    private final SubOp subOp = new SubOp();
    private final OpContext adamContext = Nd4j.getExecutioner().buildContext();
    private final OpContext subContext = Nd4j.getExecutioner().buildContext();
    private INDArray adamGradient; // the arrays each context holds; rebound only when a caller passes others
    private INDArray subParams;
    private INDArray subUpdate;

    public AdamOptimizer(TrainConfig config, long nParams) {
        this.config = config;
        this.state = Nd4j.create(DataType.FLOAT, 1, 2 * nParams);
        this.m = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, nParams)).reshape(1, nParams);
        this.v = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(nParams, 2 * nParams)).reshape(1, nParams);
    }

    /** params −= Adam(gradient) at 0-based {@code step}; the gradient array is overwritten with the update. */
    public void step(INDArray params, INDArray gradient, long step) {
        update(gradient, step);
        apply(params, gradient);
    }

    /** The first half of {@link #step}: the moments advance and the gradient becomes the update, in place. */
    public void update(INDArray gradient, long step) {
        if (gradient != adamGradient) {
            adamContext.setInputArrays(gradient, v, m); // the op's order: gradient, v, m; written back in place
            adamContext.setOutputArrays(gradient, v, m);
            adamGradient = gradient;
        }
        adamContext.setTArguments(Schedules.learningRate(config, step), config.adamBeta1(), config.adamBeta2(),
                config.adamEpsilon());
        adamContext.setIArguments(Math.toIntExact(step));
        Nd4j.exec(adamOp, adamContext);
    }

    /** The second half of {@link #step}: params −= the update {@link #update} left in the gradient array. */
    public void apply(INDArray params, INDArray update) {
        if (params != subParams || update != subUpdate) {
            subContext.setInputArrays(params, update);
            subContext.setOutputArrays(params);
            subParams = params;
            subUpdate = update;
        }
        Nd4j.exec(subOp, subContext);
    }

    public INDArray state() {
        return state;
    }
}
