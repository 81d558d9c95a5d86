package org.sae4j.trainer;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sae4j.dictionary.kernels.AdamKernel;
import org.sae4j.dictionary.kernels.Nio;

/**
 * Adam over the SAE's flat parameter vector, one fused pass per step ({@link AdamKernel}, ND4J's formulation).
 * Its moments live in one state array, laid out as ND4J's Adam updater lays them out (m, then v), so a checkpoint
 * saves and restores them exactly; the learning rate comes from {@link Schedules}, keyed by step.
 */
public final class AdamOptimizer {
    private final TrainConfig config;
    private final int n;
    private final INDArray state; // [1, 2 · nParams]: m then v
    private final ByteBuffer m;   // [nParams] view of state
    private final ByteBuffer v;   // [nParams] view of state

    public AdamOptimizer(TrainConfig config, long nParams) {
        this.config = config;
        this.n = Math.toIntExact(nParams);
        this.state = Nd4j.create(DataType.FLOAT, 1, 2L * n);
        this.m = Nio.bytes(state.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, n)));
        this.v = Nio.bytes(state.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2L * n)));
    }

    /** params −= Adam(gradient) at 0-based {@code step}; the gradient is only read. */
    public void step(INDArray params, INDArray gradient, long step) {
        float alpha = AdamKernel.alpha(Schedules.learningRate(config, step), config.adamBeta1(), config.adamBeta2(),
                step);
        AdamKernel.step(Nio.bytes(params), Nio.bytes(gradient), m, v, n, alpha, (float) config.adamBeta1(),
                (float) config.adamBeta2(), (float) config.adamEpsilon());
    }

    public INDArray state() {
        return state;
    }
}
