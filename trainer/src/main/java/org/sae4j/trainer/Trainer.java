package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.FiniteRows;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.JumpReLULoss;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.TrainingLoss;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;

/**
 * Trains one SAE on one activation source into one output folder. {@link #fit} is the whole loop; everything it
 * calls is named for the step it is. Deterministic: the same configs and seeds give bitwise the same weights, and a
 * run resumed from a checkpoint ends identical to one never interrupted, however it was stopped (see
 * {@link Checkpoints} for what survives a crash).
 *
 * <p>Rows of the source holding NaN/Inf stop the run or are skipped ({@link TrainConfig#nonFiniteInputs}); a NaN or
 * infinite loss, gradient or parameter stops it with a {@link TrainingDivergedException} before anything from the
 * diverged step is saved; a checkpoint or output that cannot be written (a full disk) stops it with a
 * {@link BadInputException} naming the file, the previous checkpoint kept. Asked to stop from another thread
 * ({@link #requestStop}), it finishes the step in progress, checkpoints it and throws
 * {@link TrainingStoppedException}, so a Ctrl-C or a scheduler's SIGTERM loses no training.
 */
public final class Trainer {
    private final TrainConfig config;
    private final FiniteRows source;
    private final Path outDir;
    private final Checkpoints checkpoints;
    private final JsonNode resolvedConfig;
    private final TrainingListener listener;

    private final Sae sae;
    private final SaeParams grad;
    private final SaeWorkspace workspace;
    private final AdamOptimizer adam;
    private final DeadLatents dead;
    private final boolean[] firedInBatch; // [dSae]
    private final long[] firingCounts;    // [dSae] over the final window, for sparsity.safetensors
    private final long firingWindowStart; // first step counted in firingCounts
    private final MetricsWindow window = new MetricsWindow();
    private final TrainingLoss.Parts batchLoss = new TrainingLoss.Parts(); // the step's, overwritten every step
    private final SaeWorkspace.ActiveVisitor markFired;   // made once, not a lambda per step
    private final SaeWorkspace.ActiveVisitor countFiring;
    private final boolean usesL1;         // standard and gated SAEs: the loss has the L1 term
    private final boolean usesL0;         // JumpReLU: the loss has the L0 (or tanh) term
    private final Divergence divergence;
    private final Resampler resampler;

    private long step;
    private TrainingLoss weights;         // the last step's loss weights, reused while the schedules keep them
    private long tokensSeen;
    private long firingWindowTokens;
    private double inputScale = 1;
    private Metrics lastMetrics;
    private Path lastCheckpoint;
    private boolean warnedSkipping;
    private volatile String stopReason; // null until a stop is asked for; the first reason given wins
    private final CountDownLatch fitDone = new CountDownLatch(1); // counted down when fit() returns or throws

    /**
     * @param resolvedConfig the full resolved configuration (SAE, training, source), saved with every checkpoint
     *                       and compared on resume
     */
    public Trainer(SaeConfig saeConfig, TrainConfig config, ActivationSource source, Path outDir,
                   JsonNode resolvedConfig, TrainingListener listener) {
        if (source.dIn() != saeConfig.dIn()) {
            throw new BadInputException("the source's vectors have d_in = " + source.dIn() + " but the SAE has d_in = "
                    + saeConfig.dIn());
        }
        this.config = config;
        this.source = new FiniteRows(source, config.nonFiniteInputs());
        this.outDir = outDir;
        this.checkpoints = new Checkpoints(outDir);
        this.resolvedConfig = resolvedConfig;
        this.listener = listener;
        this.sae = Sae.initialize(saeConfig, config.seed());
        if (saeConfig.architecture() instanceof Architecture.JumpReLU) {
            sae.params().threshold().assign(config.jumpreluInitThreshold());
        }
        this.grad = SaeParams.zeros(saeConfig);
        this.workspace = new SaeWorkspace(sae, config.batchSize(), unitNormDecoder());
        this.adam = new AdamOptimizer(config, saeConfig.parameterCount());
        this.dead = new DeadLatents(saeConfig.dSae(), config.deadTokensThreshold());
        this.firedInBatch = new boolean[saeConfig.dSae()];
        this.firingCounts = new long[saeConfig.dSae()];
        this.markFired = (row, latent, activation) -> firedInBatch[latent] = true;
        this.countFiring = (row, latent, activation) -> firingCounts[latent]++;
        Architecture a = saeConfig.architecture();
        this.usesL1 = a instanceof Architecture.Standard || a instanceof Architecture.Gated;
        this.usesL0 = a instanceof Architecture.JumpReLU;
        this.divergence = new Divergence(saeConfig, this::divergenceHint);
        if (config.resampleEverySteps() > 0 && !(saeConfig.architecture() instanceof Architecture.Standard)) {
            throw new BadInputException("resample_every_steps: dead-latent resampling is for standard SAEs; this is"
                    + " a " + saeConfig.architecture().saelensName() + " SAE" + (saeConfig.architecture()
                    instanceof Architecture.TopK ? " (TopK revives latents with AuxK)" : ""));
        }
        this.resampler = new Resampler(config);
        long total = config.totalSteps();
        this.firingWindowStart = total - Math.max(1, total / 10);
    }

    /** Trains from scratch, or from the latest checkpoint in the output folder when {@code resume} is set. */
    public TrainResult fit(boolean resume) throws IOException {
        try {
            return fitUntilDoneOrStopped(resume);
        } finally {
            fitDone.countDown();
        }
    }

    /**
     * Asks a running {@link #fit} to stop after the step in progress; it then checkpoints that step and throws
     * {@link TrainingStoppedException}. Safe from any thread (a shutdown hook). The stop is reported as asked for by
     * a signal.
     */
    public void requestStop() {
        requestStop("a signal");
    }

    /**
     * {@link #requestStop()}, with the reason its stop line gives ("a signal"; "the SAE of blocks.1.hook_mlp_out
     * failed"). The first reason asked for is the one given.
     */
    public synchronized void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** Waits until {@link #fit} has returned or thrown (at once if it already has); false on timeout. */
    public boolean awaitFitDone(long timeout, TimeUnit unit) throws InterruptedException {
        return fitDone.await(timeout, unit);
    }

    private TrainResult fitUntilDoneOrStopped(boolean resume) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(outDir);
        checkpoints.clearStale();
        AtomicFiles.deleteStale(outDir);
        long total = config.totalSteps();
        if (!(resume && restoreLatestCheckpoint())) {
            initializeFromSample();
        }
        listener.started(total, step, config.batchSize());
        try (MetricsLog log = MetricsLog.open(outDir, step)) {
            long firstStep = step;
            while (step < total) {
                stopIfAsked(log, firstStep);
                nextBatch();
                workspace.forward();
                workspace.backward(lossWeights(step), dead.mask(), grad, batchLoss);
                requireFinite(batchLoss);
                adam.step(sae.params().flat(), grad.flat(), step);
                constrainDecoder();
                step++;
                tokensSeen += config.batchSize();
                bookkeeping(batchLoss);
                resampleIfDue();
                logIfDue(log);
                checkpointIfDue(log);
            }
        }
        return finish((System.nanoTime() - started) / 1e9);
    }

    // ---- the steps of fit(), in order ----

    /**
     * Reads a sample to set the input scale (E‖x‖ = √dIn, SAELens {@code expected_average_only_in}) and b_dec to
     * its geometric median, then rewinds the source so training sees the sample too, in order.
     */
    private void initializeFromSample() throws IOException {
        int dIn = sae.config().dIn();
        int n = config.initSampleRows();
        float[] sample = new float[n * dIn]; // [n, dIn]
        source.seek(0);
        source.next(sample, n);
        source.resumeCount(0, null); // rows the sample skipped are skipped again, and counted, in training
        if (config.normalizeActivations()) {
            double normSum = 0;
            for (int r = 0; r < n; r++) {
                double sq = 0;
                for (int d = 0; d < dIn; d++) {
                    sq += (double) sample[r * dIn + d] * sample[r * dIn + d];
                }
                normSum += Math.sqrt(sq);
            }
            double meanNorm = normSum / n;
            if (!(meanNorm > 0)) {
                throw new BadInputException("the activation source's first " + n + " rows are all zero");
            }
            inputScale = Math.sqrt(dIn) / meanNorm;
            for (int i = 0; i < sample.length; i++) {
                sample[i] *= (float) inputScale;
            }
        }
        Nio.put(sae.params().bDec(), GeometricMedian.of(sample, n, dIn, 100, 1e-6));
        source.seek(0);
    }

    private void nextBatch() throws IOException {
        float[] x = workspace.input();
        source.next(x, config.batchSize());
        if (source.skipped() > 0 && !warnedSkipping) {
            warnedSkipping = true;
            listener.warning("warning: skipping activation rows that hold NaN or Inf (first: "
                    + source.firstSkipped() + "); counted in metrics.jsonl as skipped_rows");
        }
        if (inputScale != 1) {
            float s = (float) inputScale;
            for (int i = 0; i < x.length; i++) {
                x[i] *= s;
            }
        }
    }

    /**
     * The loss weights at a step. A coefficient the architecture has no term for is 0 rather than its schedule's
     * value, so the weights change only while a term of this SAE warms up, and the last step's object is reused
     * otherwise: a TopK step allocates nothing here.
     */
    private TrainingLoss lossWeights(long atStep) {
        double l1 = usesL1 ? Schedules.l1Coefficient(config, atStep) : 0;
        double l0 = usesL0 ? Schedules.l0Coefficient(config, atStep) : 0;
        if (weights == null || weights.l1Coefficient() != l1 || weights.jumpRelu().l0Coefficient() != l0) {
            int kAux = config.kAux() > 0 ? config.kAux() : Math.max(1, sae.config().dIn() / 2);
            JumpReLULoss jumpRelu = new JumpReLULoss(l0, config.jumpreluBandwidth(),
                    config.jumpreluSparsityLossMode(), config.jumpreluTanhScale());
            weights = new TrainingLoss(l1, config.auxKCoefficient(), kAux, jumpRelu, config.topkThresholdLr());
        }
        return weights;
    }

    private void requireFinite(TrainingLoss.Parts loss) {
        divergence.requireFinite(loss, grad, workspace.gradientKnownFinite(), step);
    }

    /** Renormalises the decoder rows, and keeps JumpReLU's θ ≥ 0 (SAELens trains log θ for the same end). */
    private void constrainDecoder() {
        if (unitNormDecoder()) {
            sae.normalizeDecoderRows();
        }
        if (sae.config().architecture() instanceof Architecture.JumpReLU) {
            Transforms.max(sae.params().threshold(), 0.0, false);
        }
    }

    /**
     * Architectures trained with unit-norm decoder rows: the backward projects each row's gradient off the row, so
     * Adam steps along the sphere, and {@link #constrainDecoder} renormalises after the step. TopK (Gao et al.
     * 2024); BatchTopK, Matryoshka and JumpReLU, whose codes and thresholds are then in the input's units; and Gated
     * (Rajamanoharan et al. 2024, who constrain the rows too): Gated's auxiliary term reads a frozen decoder, so
     * without the constraint nothing stops the L1 from shrinking the rows while r_mag grows to compensate.
     */
    private boolean unitNormDecoder() {
        Architecture a = sae.config().architecture();
        return a instanceof Architecture.TopK || a instanceof Architecture.BatchTopK
                || a instanceof Architecture.MatryoshkaBatchTopK || a instanceof Architecture.JumpReLU
                || a instanceof Architecture.Gated;
    }

    private void bookkeeping(TrainingLoss.Parts loss) {
        Arrays.fill(firedInBatch, false);
        workspace.forEachActive(markFired);
        dead.update(firedInBatch, config.batchSize());
        if (step > firingWindowStart) {
            workspace.forEachActive(countFiring);
            firingWindowTokens += config.batchSize();
        }
        window.add(loss, workspace, sae.config().dIn());
    }

    /** At its scheduled steps, points dead latents at badly reconstructed inputs ({@link Resampler}). */
    private void resampleIfDue() throws IOException {
        if (resampler.due(step)) {
            int[] revived = resampler.resample(sae, workspace, this::nextBatch, dead.counters(), adam.state(), step);
            dead.revive(revived);
            listener.warning(String.format("resampled %d dead latents after step %d", revived.length, step));
        }
    }

    private void logIfDue(MetricsLog log) throws IOException {
        if (step % config.logEverySteps() == 0 || step == config.totalSteps()) {
            lastMetrics = window.summarize(step, tokensSeen, Schedules.learningRate(config, step - 1),
                    Schedules.l1Coefficient(config, step - 1), dead.deadFraction(), source.skipped());
            log.append(lastMetrics);
            window.restart();
        }
        listener.stepDone(step, lastMetrics);
    }

    /** Saves a checkpoint when due; the metrics lines up to it are made durable first, as the checkpoint is. */
    private void checkpointIfDue(MetricsLog log) throws IOException {
        boolean due = config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0;
        if (due || step == config.totalSteps()) {
            checkpointNow(log);
        }
    }

    private void checkpointNow(MetricsLog log) throws IOException {
        divergence.requireFiniteParams(sae.params(), step - 1);
        try {
            log.sync();
            lastCheckpoint = checkpoints.save(checkpoint());
        } catch (IOException e) {
            throw new BadInputException("cannot write the checkpoint at step " + step + " into "
                    + checkpoints.root() + ": " + e.getMessage() + "; " + keptCheckpoint(), e);
        }
        listener.checkpointed(lastCheckpoint);
    }

    /**
     * The stop {@link #requestStop} asks for, between two steps: a checkpoint of the last finished one (unless it
     * has one already, or this run has not finished a step), then {@link TrainingStoppedException}.
     */
    private void stopIfAsked(MetricsLog log, long firstStep) throws IOException {
        String reason = stopReason;
        if (reason == null) {
            return;
        }
        boolean saved = lastCheckpoint != null && lastCheckpoint.getFileName().toString()
                .equals(Checkpoints.name(step));
        if (step > firstStep && !saved) {
            checkpointNow(log);
        }
        String where = lastCheckpoint == null ? "no checkpoint yet, so a rerun starts afresh"
                : "checkpoint " + outDir.relativize(lastCheckpoint) + " holds it; continue with --resume";
        String message = "stopped at step " + step + " of " + config.totalSteps() + " when asked to (" + reason + "); "
                + where;
        listener.warning(message); // now: the process may be shutting down, and the caller's own report could be cut
        throw new TrainingStoppedException(message);
    }

    private TrainResult finish(double seconds) throws IOException {
        divergence.requireFiniteParams(sae.params(), step - 1);
        Sae trained = (inputScale != 1 ? sae.foldInputScaling(inputScale) : sae.copy()).forInference();
        double[] frequency = new double[firingCounts.length];
        for (int j = 0; j < frequency.length; j++) {
            frequency[j] = firingWindowTokens > 0 ? (double) firingCounts[j] / firingWindowTokens : 0;
        }
        try {
            SaeLensFormat.save(trained, frequency, outDir);
        } catch (IOException e) {
            throw new BadInputException("cannot write the trained SAE into " + outDir + ": " + e.getMessage() + "; "
                    + keptCheckpoint(), e);
        }
        return new TrainResult(trained, frequency, step, tokensSeen, seconds, lastMetrics, source.skipped(),
                source.firstSkipped());
    }

    private String keptCheckpoint() {
        return lastCheckpoint == null ? "no checkpoint had been written yet"
                : lastCheckpoint.getFileName() + " is intact: free some space and rerun with --resume";
    }

    private Divergence.Hint divergenceHint() {
        return new Divergence.Hint(lastCheckpoint == null ? null : outDir.relativize(lastCheckpoint).toString(),
                config.lr(), config.normalizeActivations());
    }

    // ---- checkpoints ----

    /** Whether {@code outDir} holds a checkpoint that {@code fit(true)} would try to resume from. */
    public static boolean hasCheckpoint(Path outDir) throws IOException {
        return new Checkpoints(outDir).latest().isPresent();
    }

    private Checkpoint checkpoint() {
        return new Checkpoint(step, tokensSeen, source.position(), inputScale, Nio.get(sae.params().flat()),
                Nio.get(adam.state()), dead.counters().clone(), firingCounts.clone(), firingWindowTokens,
                source.skipped(), source.firstSkipped(), window.toJson(), lastMetrics, resolvedConfig);
    }

    /** Restores the newest intact checkpoint (warning about damaged ones); false if there is none. */
    private boolean restoreLatestCheckpoint() throws IOException {
        Checkpoint.Sizes sizes = new Checkpoint.Sizes(sae.params().flat().length(), adam.state().length(),
                sae.config().dSae());
        Optional<Checkpoint> restored = checkpoints.restore(resolvedConfig, sizes, config.batchSize(),
                listener::warning);
        if (restored.isEmpty()) {
            return false;
        }
        Checkpoint c = restored.get();
        Nio.put(sae.params().flat(), c.params());
        Nio.put(adam.state(), c.adamState());
        dead.restore(c.tokensSinceFired());
        System.arraycopy(c.firingCounts(), 0, firingCounts, 0, firingCounts.length);
        firingWindowTokens = c.firingWindowTokens();
        step = c.step();
        tokensSeen = c.tokensSeen();
        inputScale = c.inputScale();
        window.restore(c.window());
        lastMetrics = c.lastMetrics();
        source.resumeCount(c.skippedRows(), c.firstSkipped());
        warnedSkipping = c.skippedRows() > 0;
        source.seek(c.sourcePosition());
        lastCheckpoint = checkpoints.root().resolve(Checkpoints.name(step));
        return true;
    }
}
