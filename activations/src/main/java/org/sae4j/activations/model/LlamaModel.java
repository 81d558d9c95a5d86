package org.sae4j.activations.model;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Llama forward pass (pre-norm, RMSNorm, RoPE, grouped-query causal attention, SwiGLU) batched over ragged
 * sequences: every weight product is one {@code Nd4j.gemm} over all rows of the batch ({@code [rows, in] · W^T}),
 * the per-row stages are the loops in {@link LlamaKernels}. Hooks ({@link Hook}) see and may rewrite the activation
 * at any {@link HookPoint}; every path runs the same operations whether or not a point is hooked, so a hook that
 * writes back identical values leaves the logits bit-identical.
 *
 * <p>Not thread-safe: the model keeps its work buffers between calls (reallocated only when the row count changes).
 */
public final class LlamaModel {

    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final float[] ropeCos; // [seqLen, headSize/2]
    private final float[] ropeSin; // [seqLen, headSize/2]
    private final FloatBuffer embedding; // view of weights.tokenEmbedding(), [vocab, dim]
    private Buffers buf;

    public LlamaModel(LlamaWeights weights) {
        this.weights = weights;
        this.config = weights.config();
        float[][] rope = LlamaKernels.ropeTables(config.seqLen(), config.headSize());
        this.ropeCos = rope[0];
        this.ropeSin = rope[1];
        this.embedding = weights.tokenEmbedding().data().asNioFloat();
    }

    /** Loads a llama2.c legacy checkpoint. */
    public static LlamaModel load(Path checkpoint) throws IOException {
        return new LlamaModel(Llama2cCheckpoint.load(checkpoint));
    }

    public LlamaConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** Logits [batch.rows(), vocab] for every position of every sequence. */
    public INDArray forward(TokenBatch batch) {
        return forward(batch, Map.of());
    }

    /** Logits [batch.rows(), vocab], calling the hooks on the way. */
    public INDArray forward(TokenBatch batch, Map<HookPoint, Hook> hooks) {
        INDArray logits = Nd4j.create(DataType.FLOAT, batch.rows(), config.vocabSize()); // [rows, vocab]
        forward(batch, hooks, logits);
        return logits;
    }

    /** Writes the logits into the caller's {@code logits} [batch.rows(), vocab] (c order), calling the hooks. */
    public void forward(TokenBatch batch, Map<HookPoint, Hook> hooks, INDArray logits) {
        LayerWeights.requireShape("logits", logits, batch.rows(), config.vocabSize());
        run(batch, hooks, logits);
    }

    /**
     * Runs only as far as the last hooked point and computes no logits: for harvesting activations, where the blocks
     * after the last hook would be wasted work.
     */
    public void runToLastHook(TokenBatch batch, Map<HookPoint, Hook> hooks) {
        if (hooks.isEmpty()) {
            throw new IllegalArgumentException("runToLastHook needs at least one hook");
        }
        run(batch, hooks, null);
    }

    /** The forward pass; {@code logits == null} means stop after the last hook. */
    private void run(TokenBatch batch, Map<HookPoint, Hook> hooks, INDArray logits) {
        check(batch, hooks);
        int rows = batch.rows();
        int last = logits == null ? hooks.keySet().stream().mapToInt(HookPoint::order).max().orElseThrow()
                : Integer.MAX_VALUE;
        Buffers b = buffers(rows);
        int dim = config.dim();
        for (int r = 0; r < rows; r++) {
            embedding.get(batch.token(r) * dim, b.xs, r * dim, dim);
        }
        b.xf.put(0, b.xs, 0, rows * dim);
        for (int l = 0; l < config.nLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            if (hook(l, HookKind.RESID_PRE, b.x, batch, hooks, last)) {
                return;
            }
            attention(w, batch, b);
            if (hook(l, HookKind.ATTN_OUT, b.o, batch, hooks, last)) {
                return;
            }
            b.x.addi(b.o);
            if (hook(l, HookKind.RESID_MID, b.x, batch, hooks, last)) {
                return;
            }
            feedForward(w, rows, b);
            if (hook(l, HookKind.MLP_OUT, b.o, batch, hooks, last)) {
                return;
            }
            b.x.addi(b.o);
            if (hook(l, HookKind.RESID_POST, b.x, batch, hooks, last)) {
                return;
            }
        }
        normalize(weights.rmsFinal(), rows, b);
        Nd4j.gemm(b.h, weights.classifier(), logits, false, true, 1.0, 0.0); // [rows, dim] · [vocab, dim]^T
    }

    /** {@code b.o = wo · attention(rope(wq·h), rope(wk·h), wv·h)} with {@code h = rmsnorm(x, rmsAtt)}. */
    private void attention(LayerWeights w, TokenBatch batch, Buffers b) {
        int rows = batch.rows();
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hs = config.headSize();
        normalize(w.rmsAtt(), rows, b);
        Nd4j.gemm(b.h, w.wq(), b.q, false, true, 1.0, 0.0); // [rows, dim]
        Nd4j.gemm(b.h, w.wk(), b.k, false, true, 1.0, 0.0); // [rows, kvDim]
        Nd4j.gemm(b.h, w.wv(), b.v, false, true, 1.0, 0.0); // [rows, kvDim]
        b.qf.get(0, b.qs, 0, rows * dim);
        b.kf.get(0, b.ks, 0, rows * kvDim);
        b.vf.get(0, b.vs, 0, rows * kvDim);
        for (int r = 0; r < rows; r++) {
            int pos = batch.positionOf(r);
            LlamaKernels.rope(b.qs, r * dim, dim, hs, pos, ropeCos, ropeSin);
            LlamaKernels.rope(b.ks, r * kvDim, kvDim, hs, pos, ropeCos, ropeSin);
        }
        // Independent per (sequence, head); the BLAS threads are idle meanwhile, so use the cores here.
        int heads = config.nHeads();
        IntStream.range(0, batch.size() * heads).parallel().forEach(task -> {
            int s = task / heads;
            LlamaKernels.attentionHead(b.qs, b.ks, b.vs, b.hs, batch.offset(s), batch.length(s), task % heads, config);
        });
        b.hf.put(0, b.hs, 0, rows * dim);
        Nd4j.gemm(b.h, w.wo(), b.o, false, true, 1.0, 0.0); // [rows, dim]
    }

    /** {@code b.o = w2 · (silu(w1·h) ⊙ w3·h)} with {@code h = rmsnorm(x, rmsFfn)}. */
    private void feedForward(LayerWeights w, int rows, Buffers b) {
        int hid = config.hiddenDim();
        normalize(w.rmsFfn(), rows, b);
        Nd4j.gemm(b.h, w.w1(), b.g, false, true, 1.0, 0.0); // [rows, hidden]
        Nd4j.gemm(b.h, w.w3(), b.u, false, true, 1.0, 0.0); // [rows, hidden]
        b.gf.get(0, b.gs, 0, rows * hid);
        b.uf.get(0, b.us, 0, rows * hid);
        LlamaKernels.swiglu(b.gs, b.us, rows * hid);
        b.gf.put(0, b.gs, 0, rows * hid);
        Nd4j.gemm(b.g, w.w2(), b.o, false, true, 1.0, 0.0); // [rows, dim]
    }

    /** {@code b.h = rmsnorm(b.x, gain)}, reading x afresh since a hook may have rewritten it. */
    private void normalize(float[] gain, int rows, Buffers b) {
        int n = rows * config.dim();
        b.xf.get(0, b.xs, 0, n);
        LlamaKernels.rmsnorm(b.xs, gain, b.hs, rows);
        b.hf.put(0, b.hs, 0, n);
    }

    /** Calls the hook at (layer, kind) if any; true when the pass should stop here. */
    private static boolean hook(int layer, HookKind kind, INDArray activation, TokenBatch batch,
                                Map<HookPoint, Hook> hooks, int last) {
        HookPoint point = new HookPoint(layer, kind);
        Hook hook = hooks.get(point);
        if (hook != null) {
            hook.onActivation(point, activation, batch);
        }
        return point.order() >= last;
    }

    private void check(TokenBatch batch, Map<HookPoint, Hook> hooks) {
        for (int s = 0; s < batch.size(); s++) {
            if (batch.length(s) > config.seqLen()) {
                throw new IllegalArgumentException("sequence " + s + " has " + batch.length(s)
                        + " tokens, the model's seqLen is " + config.seqLen());
            }
        }
        for (int r = 0; r < batch.rows(); r++) {
            int t = batch.token(r);
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " at row " + r + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        for (HookPoint p : hooks.keySet()) {
            if (p.layer() >= config.nLayers()) {
                throw new IllegalArgumentException("hook " + p + " names a layer the model (" + config.nLayers()
                        + " layers) does not have");
            }
        }
    }

    private Buffers buffers(int rows) {
        if (buf == null || buf.rows != rows) {
            buf = new Buffers(config, rows);
        }
        return buf;
    }

    /** Work buffers for one row count: ND4J arrays for the products, float[] mirrors for the loops. */
    private static final class Buffers {
        final int rows;
        final INDArray x; // [rows, dim] residual stream
        final INDArray h; // [rows, dim] normalized x, then attention output before wo
        final INDArray q; // [rows, dim]
        final INDArray k; // [rows, kvDim]
        final INDArray v; // [rows, kvDim]
        final INDArray o; // [rows, dim] attn_out, then mlp_out
        final INDArray g; // [rows, hidden] gate, then silu(gate) ⊙ up
        final INDArray u; // [rows, hidden] up
        final FloatBuffer xf;
        final FloatBuffer hf;
        final FloatBuffer qf;
        final FloatBuffer kf;
        final FloatBuffer vf;
        final FloatBuffer gf;
        final FloatBuffer uf;
        final float[] xs; // [rows, dim]
        final float[] hs; // [rows, dim]
        final float[] qs; // [rows, dim]
        final float[] ks; // [rows, kvDim]
        final float[] vs; // [rows, kvDim]
        final float[] gs; // [rows, hidden]
        final float[] us; // [rows, hidden]

        Buffers(LlamaConfig c, int rows) {
            this.rows = rows;
            x = Nd4j.create(DataType.FLOAT, rows, c.dim());
            h = Nd4j.create(DataType.FLOAT, rows, c.dim());
            q = Nd4j.create(DataType.FLOAT, rows, c.dim());
            k = Nd4j.create(DataType.FLOAT, rows, c.kvDim());
            v = Nd4j.create(DataType.FLOAT, rows, c.kvDim());
            o = Nd4j.create(DataType.FLOAT, rows, c.dim());
            g = Nd4j.create(DataType.FLOAT, rows, c.hiddenDim());
            u = Nd4j.create(DataType.FLOAT, rows, c.hiddenDim());
            xf = x.data().asNioFloat();
            hf = h.data().asNioFloat();
            qf = q.data().asNioFloat();
            kf = k.data().asNioFloat();
            vf = v.data().asNioFloat();
            gf = g.data().asNioFloat();
            uf = u.data().asNioFloat();
            xs = new float[rows * c.dim()];
            hs = new float[rows * c.dim()];
            qs = new float[rows * c.dim()];
            ks = new float[rows * c.kvDim()];
            vs = new float[rows * c.kvDim()];
            gs = new float[rows * c.hiddenDim()];
            us = new float[rows * c.hiddenDim()];
        }
    }

    @Override
    public String toString() {
        return "LlamaModel" + config + " with " + config.parameterCount() + " parameters";
    }
}
