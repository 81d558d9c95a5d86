package org.sae4j.trainer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ND4J's Adam over the SAE's flat parameter vector (the project uses ND4J's updaters rather than its own): its {@code
 * adam_updater} op, the one {@code org.nd4j.linalg.learning.AdamUpdater.applyUpdater} runs, then ND4J's subtraction.
 * Both run as {@link KeptOp}s, with the arrays bound once, because building the op afresh each step as {@code
 * applyUpdater} and {@code subi} do allocates ~14 KB of heap per step, and a kept op nothing; the results are bitwise
 * the updater's ({@code AdamOptimizerTest}). The moments live in one state array laid out as the updater's (m, then v)
 * so a checkpoint saves and restores them exactly; the learning rate is {@link Schedules}'s pure function of the step.
 */
public final class AdamOptimizer {
    private final TrainConfig config;
    private final INDArray state; // [1, 2 · nParams]: m, then v
    private final INDArray m;     // [1, nParams] view of state
    private final INDArray v;     // [1, nParams] view of state
    private final KeptOp adamOp = new KeptOp(new AdamUpdater(), 4, 1); // lr, β1, β2, ε; the 0-based step
    private final KeptOp subOp = new KeptOp(new SubOp(), 0, 0);
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
            // The op's order: gradient, v, m; all three written back in place.
            adamOp.bind(new INDArray[] {gradient, v, m}, new INDArray[] {gradient, v, m});
            adamGradient = gradient;
        }
        adamOp.tArg(0, Schedules.learningRate(config, step));
        adamOp.tArg(1, config.adamBeta1());
        adamOp.tArg(2, config.adamBeta2());
        adamOp.tArg(3, config.adamEpsilon());
        adamOp.iArg(0, Math.toIntExact(step));
        adamOp.run();
    }

    /** The second half of {@link #step}: params −= the update {@link #update} left in the gradient array. */
    public void apply(INDArray params, INDArray update) {
        if (params != subParams || update != subUpdate) {
            subOp.bind(new INDArray[] {params, update}, new INDArray[] {params});
            subParams = params;
            subUpdate = update;
        }
        subOp.run();
    }

    public INDArray state() {
        return state;
    }
}
