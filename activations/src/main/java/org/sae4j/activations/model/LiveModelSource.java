package org.sae4j.activations.model;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.SourceConfig;

/**
 * Activations straight from a language model: an endless, seeded stream of the activation at one hook point of
 * every harvested corpus position (BOS excluded unless asked for), no files in between. The corpus is replayed
 * epoch after epoch, each epoch in a fresh window order, each block of windows shuffled row by row; the block plan
 * is documented on {@link LiveActivations}. The stream is a pure function of the config and the cursor:
 * {@link #seek(long)} recomputes only the block holding the target row, so a training run resumes from its
 * checkpointed position exactly.
 *
 * <p>The next block is computed on the model thread while this one is read. Not thread-safe: one consumer per
 * source; sources from {@link #openShared} may be read from different threads.
 */
public final class LiveModelSource implements ActivationSource {

    private final LiveActivations live;
    private final int hook;     // index into live.hooks()
    private final int dIn;
    private final SourceConfig.Model config;

    private LiveActivations.Block current;
    private Future<LiveActivations.Block> pending; // the block after `current`
    private int offset;                             // rows of `current` already emitted
    private long position;
    private boolean positioned;
    private boolean closed;

    private LiveModelSource(LiveActivations live, int hook, SourceConfig.Model config) {
        this.live = live;
        this.hook = hook;
        this.dIn = live.dim();
        this.config = config;
    }

    /** One source, its own model pass. */
    public static LiveModelSource open(SourceConfig.Model config) throws IOException {
        return openShared(List.of(config)).get(0);
    }

    /**
     * One source per config, all fed by a single model pass (each block is computed once with every hook point and
     * kept while the sources read it). The configs must be equal except for their hook points, which must differ.
     */
    public static List<LiveModelSource> openShared(List<SourceConfig.Model> configs) throws IOException {
        if (configs.isEmpty()) {
            throw new IllegalArgumentException("no sources to open");
        }
        SourceConfig.Model base = configs.get(0);
        List<HookPoint> hooks = new ArrayList<>();
        for (SourceConfig.Model c : configs) {
            if (!c.withHookPoint(base.hookPoint()).equals(base)) {
                throw new IllegalArgumentException("shared live sources must differ only in hook point: " + c
                        + " vs " + base);
            }
            hooks.add(c.hookPoint());
        }
        if (hooks.stream().distinct().count() != hooks.size()) {
            throw new IllegalArgumentException("hook points repeat: " + hooks);
        }
        LiveActivations live = LiveActivations.open(base, hooks, configs.size());
        List<LiveModelSource> sources = new ArrayList<>();
        for (int h = 0; h < configs.size(); h++) {
            sources.add(new LiveModelSource(live, h, configs.get(h)));
        }
        return sources;
    }

    public SourceConfig.Model config() {
        return config;
    }

    /** Harvested rows in one pass over the corpus. */
    public long rowsPerEpoch() {
        return live.rowsPerEpoch();
    }

    /** Context windows the corpus was cut into. */
    public int windows() {
        return live.windows();
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void next(float[] dst, int rows) throws IOException {
        if (rows < 0 || (long) rows * dIn > dst.length) {
            throw new IllegalArgumentException("cannot put " + rows + " rows of " + dIn + " into " + dst.length
                    + " floats");
        }
        if (!positioned) {
            seek(position);
        }
        float[] data = current.data.get(hook);
        int done = 0;
        while (done < rows) {
            if (offset == current.rows) {
                advance();
                data = current.data.get(hook);
            }
            int take = Math.min(rows - done, current.rows - offset);
            for (int i = 0; i < take; i++) {
                System.arraycopy(data, current.perm[offset + i] * dIn, dst, (done + i) * dIn, dIn);
            }
            offset += take;
            done += take;
            position += take;
        }
    }

    @Override
    public void seek(long target) throws IOException {
        if (target < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + target);
        }
        positioned = false;
        long n = live.rowsPerEpoch();
        long epoch = target / n;
        long within = target % n;
        long[] start = live.plan(epoch).blockStart();
        // The last block starting at or before `within`; it is never empty, since an empty block k shares its start
        // with k+1 and start[blocks] = n > within.
        int k = Arrays.binarySearch(start, within);
        if (k < 0) {
            k = -k - 2;
        }
        while (k + 1 < start.length - 1 && start[k + 1] == within) {
            k++;
        }
        current = await(live.block(epoch, k));
        offset = (int) (within - start[k]);
        position = target;
        positioned = true;
        prefetch();
    }

    /** Makes the next non-empty block current. */
    private void advance() throws IOException {
        do {
            current = await(pending != null ? pending : live.block(nextEpoch(current), nextK(current)));
            pending = null;
            offset = 0;
            prefetch();
        } while (current.rows == 0);
    }

    private void prefetch() {
        pending = live.block(nextEpoch(current), nextK(current));
    }

    private long nextEpoch(LiveActivations.Block b) {
        return b.k + 1 == live.blocks() ? b.epoch + 1 : b.epoch;
    }

    private int nextK(LiveActivations.Block b) {
        return b.k + 1 == live.blocks() ? 0 : b.k + 1;
    }

    private static LiveActivations.Block await(Future<LiveActivations.Block> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the model computed activations");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException("computing activations failed: " + c, c);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            live.close();
        }
    }
}
