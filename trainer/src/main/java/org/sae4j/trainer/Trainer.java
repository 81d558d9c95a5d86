package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.sae4j.activations.ActivationSource;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.dictionary.SaeParams;
import org.sae4j.dictionary.SaeWorkspace;
import org.sae4j.dictionary.TrainingLoss;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.formats.BadInputException;

/**
 * Trains one SAE on one activation source into one output folder. {@link #fit()} is the whole loop; everything it
 * calls is named for the step it is. Deterministic: the same configs and seeds give bitwise the same weights, and a
 * run resumed from a checkpoint ends identical to one never interrupted.
 */
public final class Trainer {
    private final TrainConfig config;
    private final ActivationSource source;
    private final Path outDir;
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

    private long step;
    private long tokensSeen;
    private long firingWindowTokens;
    private double inputScale = 1;
    private Metrics lastMetrics;

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
        this.source = source;
        this.outDir = outDir;
        this.resolvedConfig = resolvedConfig;
        this.listener = listener;
        this.sae = Sae.initialize(saeConfig, config.seed());
        this.grad = SaeParams.zeros(saeConfig);
        this.workspace = new SaeWorkspace(sae, config.batchSize());
        this.adam = new AdamOptimizer(config, saeConfig.parameterCount());
        this.dead = new DeadLatents(saeConfig.dSae(), config.deadTokensThreshold());
        this.firedInBatch = new boolean[saeConfig.dSae()];
        this.firingCounts = new long[saeConfig.dSae()];
        long total = config.totalSteps();
        this.firingWindowStart = total - Math.max(1, total / 10);
    }

    /** Trains from scratch, or from the latest checkpoint in the output folder when {@code resume} is set. */
    public TrainResult fit(boolean resume) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(outDir);
        long total = config.totalSteps();
        if (!(resume && restoreLatestCheckpoint())) {
            initializeFromSample();
        }
        listener.started(total, step, config.batchSize());
        try (MetricsLog log = MetricsLog.open(outDir, step)) {
            window.restart();
            while (step < total) {
                nextBatch();
                workspace.forward();
                TrainingLoss.Parts loss = workspace.backward(lossWeights(step), dead.mask(), grad);
                requireFinite(loss);
                constrainDecoderGradient();
                adam.step(sae.params().flat(), grad.flat(), step);
                constrainDecoder();
                step++;
                tokensSeen += config.batchSize();
                bookkeeping(loss);
                logIfDue(log);
                checkpointIfDue();
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
        requireFiniteRows(sample, n, dIn, 0);
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
        long first = source.position();
        float[] x = workspace.input();
        source.next(x, config.batchSize());
        requireFiniteRows(x, config.batchSize(), sae.config().dIn(), first);
        if (inputScale != 1) {
            float s = (float) inputScale;
            for (int i = 0; i < x.length; i++) {
                x[i] *= s;
            }
        }
    }

    private TrainingLoss lossWeights(long atStep) {
        int kAux = config.kAux() > 0 ? config.kAux() : Math.max(1, sae.config().dIn() / 2);
        return new TrainingLoss(Schedules.l1Coefficient(config, atStep), config.auxKCoefficient(), kAux);
    }

    private void requireFinite(TrainingLoss.Parts loss) {
        if (!Double.isFinite(loss.total())) {
            throw new IllegalStateException("training diverged at step " + step + ": loss is " + loss.total()
                    + " (mse " + loss.mse() + ", sparsity " + loss.sparsity() + ", auxk " + loss.auxK()
                    + "); the last checkpoint in " + outDir.resolve(Checkpoint.DIR)
                    + " is intact; try a lower --lr");
        }
    }

    /** TopK keeps unit-norm decoder rows: step along the sphere, then renormalise (Gao et al. 2024). */
    private void constrainDecoderGradient() {
        if (sae.config().architecture() instanceof Architecture.TopK) {
            sae.removeParallelDecoderGrad(grad);
        }
    }

    private void constrainDecoder() {
        if (sae.config().architecture() instanceof Architecture.TopK) {
            sae.normalizeDecoderRows();
        }
    }

    private void bookkeeping(TrainingLoss.Parts loss) {
        Arrays.fill(firedInBatch, false);
        workspace.forEachActive((row, latent, activation) -> firedInBatch[latent] = true);
        dead.update(firedInBatch, config.batchSize());
        if (step > firingWindowStart) {
            workspace.forEachActive((row, latent, activation) -> firingCounts[latent]++);
            firingWindowTokens += config.batchSize();
        }
        window.add(loss, workspace, sae.config().dIn());
    }

    private void logIfDue(MetricsLog log) throws IOException {
        if (step % config.logEverySteps() == 0 || step == config.totalSteps()) {
            lastMetrics = window.summarize(step, tokensSeen, Schedules.learningRate(config, step - 1),
                    Schedules.l1Coefficient(config, step - 1), dead.deadFraction());
            log.append(lastMetrics);
            window.restart();
        }
        listener.stepDone(step, lastMetrics);
    }

    private void checkpointIfDue() throws IOException {
        boolean due = config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0;
        if (due || step == config.totalSteps()) {
            listener.checkpointed(checkpoint().save(outDir));
        }
    }

    private TrainResult finish(double seconds) throws IOException {
        Sae trained = inputScale != 1 ? sae.foldInputScaling(inputScale) : sae.copy();
        double[] frequency = new double[firingCounts.length];
        for (int j = 0; j < frequency.length; j++) {
            frequency[j] = firingWindowTokens > 0 ? (double) firingCounts[j] / firingWindowTokens : 0;
        }
        SaeLensFormat.save(trained, frequency, outDir);
        return new TrainResult(trained, frequency, step, tokensSeen, seconds, lastMetrics);
    }

    // ---- checkpoints ----

    /** Whether {@code outDir} holds a complete checkpoint that {@code fit(true)} would resume from. */
    public static boolean hasCheckpoint(Path outDir) throws IOException {
        return Checkpoint.latest(outDir).isPresent();
    }

    private Checkpoint checkpoint() {
        return new Checkpoint(step, tokensSeen, source.position(), inputScale, Nio.get(sae.params().flat()),
                Nio.get(adam.state()), dead.counters().clone(), firingCounts.clone(), firingWindowTokens,
                resolvedConfig);
    }

    private boolean restoreLatestCheckpoint() throws IOException {
        Optional<Path> latest = Checkpoint.latest(outDir);
        if (latest.isEmpty()) {
            return false;
        }
        Checkpoint c = Checkpoint.load(latest.get());
        if (!c.config().equals(resolvedConfig)) {
            throw new BadInputException("cannot resume from " + latest.get() + ": it was trained with another"
                    + " configuration (" + ConfigDiff.first(c.config(), resolvedConfig) + ")");
        }
        if (c.params().length != sae.params().flat().length() || c.adamState().length != adam.state().length()) {
            throw new BadInputException("checkpoint " + latest.get() + " does not match this SAE's size");
        }
        Nio.put(sae.params().flat(), c.params());
        Nio.put(adam.state(), c.adamState());
        dead.restore(c.tokensSinceFired());
        System.arraycopy(c.firingCounts(), 0, firingCounts, 0, firingCounts.length);
        firingWindowTokens = c.firingWindowTokens();
        step = c.step();
        tokensSeen = c.tokensSeen();
        inputScale = c.inputScale();
        source.seek(c.sourcePosition());
        return true;
    }

    private static void requireFiniteRows(float[] x, int rows, int dIn, long firstRow) {
        for (int i = 0; i < rows * dIn; i++) {
            if (!Float.isFinite(x[i])) {
                throw new BadInputException("activation row " + (firstRow + i / dIn) + " holds " + x[i]
                        + " at column " + (i % dIn));
            }
        }
    }
}
