package org.sae4j.activations.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sae4j.activations.SeededShuffle;
import org.sae4j.activations.SourceConfig;
import org.sae4j.formats.BadInputException;

/**
 * The model side of {@link LiveModelSource}: the corpus cut into context windows, the plan of which windows form
 * which block in which epoch, and the blocks themselves, computed on one model thread and cached for the sources
 * that read them. Several sources (one per hook point) share one instance, so each block goes through the model
 * once however many SAEs train on it. A block evicted from the small cache is recomputed on demand; the result is
 * the same since a block is always the same windows in the same batches.
 *
 * <p>The plan, for {@code W} windows holding {@code n} harvested rows in all ({@code n} is one epoch):
 * <ul>
 *   <li>epoch {@code e} visits the windows in the Fisher–Yates order drawn from {@code mix(seed, e, -1)};</li>
 *   <li>block {@code k} of epoch {@code e} is windows {@code [k·wpb, (k+1)·wpb)} of that order, where the windows
 *       per block {@code wpb = ceil(bufferRows · W / n)} make a block hold about {@code bufferRows} rows;</li>
 *   <li>the block's rows (window by window, position by position) are emitted in the Fisher–Yates order drawn from
 *       {@code mix(seed, e, k)}.</li>
 * </ul>
 */
final class LiveActivations implements AutoCloseable {

    /** The activations of one block at every hook point, and the order to emit them in. */
    static final class Block {
        final long epoch;
        final int k;
        final int rows;
        final List<float[]> data; // per hook [rows, dim]
        final int[] perm;         // [rows] emission order

        Block(long epoch, int k, int rows, List<float[]> data, int[] perm) {
            this.epoch = epoch;
            this.k = k;
            this.rows = rows;
            this.data = data;
            this.perm = perm;
        }
    }

    /** Epoch {@code epoch}'s window order and where each block starts: blockStart[k] rows precede block k. */
    record EpochPlan(long epoch, int[] order, long[] blockStart) {
    }

    private final ActivationCapture capture;
    private final List<ContextWindow> windows;
    private final long seed;
    private final long rowsPerEpoch;
    private final int windowsPerBlock;
    private final int blocks;
    private final int cacheBlocks;
    private final ExecutorService modelThread;
    private final Map<Long, Future<Block>> cache = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU
    private EpochPlan[] plans = new EpochPlan[2];
    private int users;

    private LiveActivations(ActivationCapture capture, List<ContextWindow> windows, long seed, int bufferRows,
                            int users) {
        this.capture = capture;
        this.windows = windows;
        this.seed = seed;
        long n = 0;
        for (ContextWindow w : windows) {
            n += w.harvestCount();
        }
        this.rowsPerEpoch = n;
        long wpb = (long) Math.ceil((double) bufferRows * windows.size() / n);
        this.windowsPerBlock = (int) Math.max(1, Math.min(windows.size(), wpb));
        this.blocks = (windows.size() + windowsPerBlock - 1) / windowsPerBlock;
        this.users = users;
        this.cacheBlocks = 2 * users + 2; // each reader holds its current block and prefetches the next
        this.modelThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sae4j-model");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the model, tokenizer and corpus of {@code base} (its hook point is ignored) to serve {@code hooks} to
     * {@code users} sources. Everything a user can get wrong is bad input, named.
     */
    static LiveActivations open(SourceConfig.Model base, List<HookPoint> hooks, int users) throws IOException {
        LlamaModel model = LlamaModel.load(Path.of(base.model()));
        LlamaConfig c = model.config();
        for (HookPoint p : hooks) {
            if (p.layer() >= c.nLayers()) {
                throw new BadInputException("layer " + p.layer() + ": " + base.model() + " has " + c.nLayers()
                        + " layers (0.." + (c.nLayers() - 1) + ")");
            }
        }
        if (base.contextSize() > c.seqLen()) {
            throw new BadInputException("context size " + base.contextSize() + " exceeds the model's seq_len "
                    + c.seqLen());
        }
        Tokenizer tokenizer = Tokenizer.load(Path.of(base.tokenizer()), c.vocabSize());
        List<String> documents = Corpus.read(Path.of(base.text()), base.textFormat(), "text");
        List<ContextWindow> windows = ContextWindows.build(documents, tokenizer, base.contextSize(),
                base.windowPolicy(), base.harvestBos());
        long rows = windows.stream().mapToLong(ContextWindow::harvestCount).sum();
        if (rows == 0) {
            throw new BadInputException(base.text() + ": holds no tokens to harvest (" + documents.size()
                    + " documents, " + windows.size() + " context windows of " + base.contextSize() + " tokens)");
        }
        return new LiveActivations(new ActivationCapture(model, hooks, base.batchTokens()), windows, base.seed(),
                base.shuffleBufferRows(), users);
    }

    int dim() {
        return capture.dim();
    }

    List<HookPoint> hooks() {
        return capture.hooks();
    }

    /** Harvested rows per epoch. */
    long rowsPerEpoch() {
        return rowsPerEpoch;
    }

    int blocks() {
        return blocks;
    }

    int windows() {
        return windows.size();
    }

    /** Block {@code k} of epoch {@code epoch}: cached, in flight, or queued on the model thread now. */
    synchronized Future<Block> block(long epoch, int k) {
        long key = epoch * blocks + k;
        Future<Block> f = cache.get(key);
        if (f == null) {
            f = modelThread.submit(() -> compute(epoch, k));
            cache.put(key, f);
            if (cache.size() > cacheBlocks) {
                Long eldest = cache.keySet().iterator().next();
                cache.remove(eldest); // a reader still holding it keeps it alive; a later request recomputes it
            }
        }
        return f;
    }

    /** Runs the block's windows through the model (on the model thread). */
    private Block compute(long epoch, int k) {
        int[] order = plan(epoch).order();
        int from = k * windowsPerBlock;
        int to = Math.min(windows.size(), from + windowsPerBlock);
        List<ContextWindow> chunk = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            chunk.add(windows.get(order[i]));
        }
        ActivationCapture.Rows rows = capture.run(chunk);
        int[] perm = new int[rows.count()];
        SeededShuffle.permutation(perm, rows.count(), SeededShuffle.mix(seed, epoch, k));
        return new Block(epoch, k, rows.count(), rows.activations(), perm);
    }

    /** The plan of {@code epoch}; two are cached since readers near an epoch's end look one epoch ahead. */
    synchronized EpochPlan plan(long epoch) {
        for (EpochPlan p : plans) {
            if (p != null && p.epoch() == epoch) {
                return p;
            }
        }
        int[] order = new int[windows.size()];
        SeededShuffle.permutation(order, order.length, SeededShuffle.mix(seed, epoch, -1));
        long[] start = new long[blocks + 1];
        for (int k = 0; k < blocks; k++) {
            long rows = 0;
            for (int i = k * windowsPerBlock; i < Math.min(order.length, (k + 1) * windowsPerBlock); i++) {
                rows += windows.get(order[i]).harvestCount();
            }
            start[k + 1] = start[k] + rows;
        }
        EpochPlan p = new EpochPlan(epoch, order, start);
        plans = new EpochPlan[] {p, plans[0]};
        return p;
    }

    /** One reader is done; the model thread stops when the last one is. */
    @Override
    public synchronized void close() {
        if (users > 0 && --users == 0) {
            modelThread.shutdownNow();
            cache.clear();
        }
    }
}
