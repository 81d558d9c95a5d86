package org.sae4j.trainer;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sae4j.activations.NonFinite;
import org.sae4j.dictionary.JumpReLULoss;

/**
 * How to train, fixed for the whole run (what changes over time is a pure function of the step: {@link Schedules}).
 *
 * @param totalTokens          rows of activations to train on; steps = ceil(totalTokens / batchSize)
 * @param batchSize            rows per step
 * @param lr                   Adam's peak learning rate
 * @param adamBeta1            Adam β1
 * @param adamBeta2            Adam β2
 * @param adamEpsilon          Adam ε
 * @param lrWarmupSteps        linear warm-up from 0 to lr over these first steps
 * @param lrDecayFraction      the last fraction of steps decays lr linearly to 0 (0 = constant)
 * @param l1Coefficient        standard SAEs: λ of the decoder-norm-weighted L1 term
 * @param l1WarmupSteps        λ ramps linearly from 0 over these first steps (SAELens {@code l1_warm_up_steps})
 * @param auxKCoefficient      TopK SAEs: α of AuxK (Gao et al. 2024: 1/32)
 * @param kAux                 TopK SAEs: latents in AuxK; 0 means dIn/2 (as sparsify and SAELens)
 * @param deadTokensThreshold  a latent is dead after this many tokens without firing (sparsify: 10M)
 * @param normalizeActivations scale inputs so E‖x‖ = √dIn (estimated on the init sample), folded in at save
 * @param initSampleRows       rows read before training to estimate the scale and b_dec's geometric median
 * @param checkpointEverySteps write a resumable checkpoint this often (0 = only at the end)
 * @param logEverySteps        append a line to metrics.jsonl this often, averaging the steps in between
 * @param seed                 seeds the init (the data source has its own seed)
 * @param nonFiniteInputs      activation rows holding NaN/Inf: stop (the default) or skip them
 * @param resampleEverySteps   standard SAEs: resample dead latents every this many steps (Anthropic 2023,
 *                             "Towards Monosemanticity", neuron resampling; {@link Resampler}); 0 = never
 * @param resampleWindowSteps  a latent is resampled if it has not fired in this many steps; 0 = half of
 *                             resampleEverySteps (Anthropic: 12,500 of 25,000)
 * @param resampleEvents       at most this many resampling events (Anthropic: 4)
 * @param resampleSampleRows   rows whose reconstruction losses weight the choice of new directions (Anthropic:
 *                             819,200), read from the source in whole batches
 * @param l0Coefficient        JumpReLU SAEs: λ of the sparsity penalty (SAELens {@code l0_coefficient})
 * @param l0WarmupSteps        λ ramps linearly from 0 over these first steps (SAELens {@code l0_warm_up_steps})
 * @param jumpreluInitThreshold JumpReLU SAEs: every latent's θ at the start (SAELens {@code jumprelu_init_threshold})
 * @param jumpreluBandwidth    JumpReLU SAEs: ε of the straight-through estimator's rectangle kernel
 * @param jumpreluSparsityLossMode JumpReLU SAEs: step (the L0, Google DeepMind) or tanh (Anthropic)
 * @param jumpreluTanhScale    JumpReLU SAEs: c in the tanh penalty {@code tanh(c · f · ‖W_dec[j]‖)}
 * @param topkThresholdLr      BatchTopK SAEs: rate of the running threshold's EMA (SAELens {@code topk_threshold_lr})
 */
public record TrainConfig(
        long totalTokens,
        int batchSize,
        double lr,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        int lrWarmupSteps,
        double lrDecayFraction,
        double l1Coefficient,
        int l1WarmupSteps,
        // Jackson's snake_case would write "aux_kcoefficient".
        @JsonProperty("aux_k_coefficient") double auxKCoefficient,
        int kAux,
        long deadTokensThreshold,
        boolean normalizeActivations,
        int initSampleRows,
        int checkpointEverySteps,
        int logEverySteps,
        long seed,
        NonFinite nonFiniteInputs,
        int resampleEverySteps,
        int resampleWindowSteps,
        int resampleEvents,
        int resampleSampleRows,
        double l0Coefficient,
        int l0WarmupSteps,
        double jumpreluInitThreshold,
        double jumpreluBandwidth,
        JumpReLULoss.Mode jumpreluSparsityLossMode,
        double jumpreluTanhScale,
        double topkThresholdLr) {

    public TrainConfig {
        nonFiniteInputs = nonFiniteInputs == null ? NonFinite.STOP : nonFiniteInputs;
        require(totalTokens > 0, "total_tokens must be positive");
        require(batchSize > 0, "batch_size must be positive");
        require(lr > 0 && Double.isFinite(lr), "lr must be positive");
        require(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1, "Adam betas must be in [0,1)");
        require(adamEpsilon > 0, "adam_epsilon must be positive");
        require(lrWarmupSteps >= 0 && l1WarmupSteps >= 0, "warm-up steps must be non-negative");
        require(lrDecayFraction >= 0 && lrDecayFraction <= 1, "lr_decay_fraction must be in [0,1]");
        require(l1Coefficient >= 0 && auxKCoefficient >= 0, "loss coefficients must be non-negative");
        require(kAux >= 0, "k_aux must be non-negative");
        require(deadTokensThreshold > 0, "dead_tokens_threshold must be positive");
        require(initSampleRows > 0, "init_sample_rows must be positive");
        require(checkpointEverySteps >= 0 && logEverySteps > 0, "checkpoint/log intervals must be positive");
        require(resampleEverySteps >= 0 && resampleWindowSteps >= 0 && resampleEvents >= 0,
                "resample_every_steps, resample_window_steps and resample_events must be non-negative");
        require(resampleWindowSteps <= resampleEverySteps, "resample_window_steps must not exceed"
                + " resample_every_steps (a latent resampled at one event must have the chance to fire before the"
                + " next)");
        require(resampleSampleRows > 0, "resample_sample_rows must be positive");
        jumpreluSparsityLossMode = jumpreluSparsityLossMode == null ? JumpReLULoss.Mode.STEP
                : jumpreluSparsityLossMode;
        require(l0Coefficient >= 0 && Double.isFinite(l0Coefficient), "l0_coefficient must be non-negative");
        require(l0WarmupSteps >= 0, "l0_warmup_steps must be non-negative");
        require(jumpreluInitThreshold >= 0 && Double.isFinite(jumpreluInitThreshold),
                "jumprelu_init_threshold must be non-negative");
        require(jumpreluBandwidth > 0 && Double.isFinite(jumpreluBandwidth), "jumprelu_bandwidth must be positive");
        require(jumpreluTanhScale > 0 && Double.isFinite(jumpreluTanhScale), "jumprelu_tanh_scale must be positive");
        require(topkThresholdLr >= 0 && topkThresholdLr <= 1, "topk_threshold_lr must be in [0,1]");
    }

    /** The config without resampling and with the JumpReLU and BatchTopK settings at their defaults. */
    public TrainConfig(long totalTokens, int batchSize, double lr, double adamBeta1, double adamBeta2,
                       double adamEpsilon, int lrWarmupSteps, double lrDecayFraction, double l1Coefficient,
                       int l1WarmupSteps, double auxKCoefficient, int kAux, long deadTokensThreshold,
                       boolean normalizeActivations, int initSampleRows, int checkpointEverySteps, int logEverySteps,
                       long seed, NonFinite nonFiniteInputs) {
        this(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps, lrDecayFraction,
                l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold, normalizeActivations,
                initSampleRows, checkpointEverySteps, logEverySteps, seed, nonFiniteInputs, 0, 0, 4, 65_536,
                DEFAULT_L0_COEFFICIENT, 0, DEFAULT_JUMPRELU_INIT_THRESHOLD, DEFAULT_JUMPRELU_BANDWIDTH, JumpReLULoss.Mode.STEP,
                DEFAULT_JUMPRELU_TANH_SCALE, DEFAULT_TOPK_THRESHOLD_LR);
    }

    // JumpReLU on inputs normalised to E‖x‖ = √dIn (sae4j's default), as SAELens's synthetic benchmark trains it
    // (θ₀ = ε = 1); SAELens's library defaults, θ₀ = 0.01 and ε = 0.05, left the thresholds far from their values
    // after the default run's few hundred steps here (docs/architectures.md).
    static final double DEFAULT_L0_COEFFICIENT = 0.5;
    static final double DEFAULT_JUMPRELU_INIT_THRESHOLD = 1.0;
    static final double DEFAULT_JUMPRELU_BANDWIDTH = 1.0;
    static final double DEFAULT_JUMPRELU_TANH_SCALE = 4.0;      // SAELens 6
    static final double DEFAULT_TOPK_THRESHOLD_LR = 0.01;       // SAELens

    /** The config that stops on NaN/Inf inputs (the default), for callers that predate the choice. */
    public TrainConfig(long totalTokens, int batchSize, double lr, double adamBeta1, double adamBeta2,
                       double adamEpsilon, int lrWarmupSteps, double lrDecayFraction, double l1Coefficient,
                       int l1WarmupSteps, double auxKCoefficient, int kAux, long deadTokensThreshold,
                       boolean normalizeActivations, int initSampleRows, int checkpointEverySteps, int logEverySteps,
                       long seed) {
        this(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps, lrDecayFraction,
                l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold, normalizeActivations,
                initSampleRows, checkpointEverySteps, logEverySteps, seed, NonFinite.STOP);
    }

    /** The same config with {@code policy} for NaN/Inf inputs. */
    public TrainConfig withNonFiniteInputs(NonFinite policy) {
        return new TrainConfig(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps,
                lrDecayFraction, l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold,
                normalizeActivations, initSampleRows, checkpointEverySteps, logEverySteps, seed, policy,
                resampleEverySteps, resampleWindowSteps, resampleEvents, resampleSampleRows, l0Coefficient, l0WarmupSteps,
                jumpreluInitThreshold, jumpreluBandwidth, jumpreluSparsityLossMode, jumpreluTanhScale, topkThresholdLr);
    }

    /** The same config resampling dead latents every {@code everySteps} steps, with the other settings as given. */
    public TrainConfig withResampling(int everySteps, int windowSteps, int events, int sampleRows) {
        return new TrainConfig(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps,
                lrDecayFraction, l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold,
                normalizeActivations, initSampleRows, checkpointEverySteps, logEverySteps, seed, nonFiniteInputs,
                everySteps, windowSteps, events, sampleRows, l0Coefficient, l0WarmupSteps, jumpreluInitThreshold,
                jumpreluBandwidth, jumpreluSparsityLossMode, jumpreluTanhScale, topkThresholdLr);
    }

    /** Steps a latent must stay silent to be resampled: {@code resampleWindowSteps}, or half the interval if 0. */
    public int resampleWindow() {
        return resampleWindowSteps > 0 ? resampleWindowSteps : Math.max(1, resampleEverySteps / 2);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Sized for the embedded default run (a few minutes on 2 cores). For a wide SAE on real activations, more tokens
     * (10⁸ and up) and a lower lr (SAELens uses 3e-4 to 5e-5 as d_sae grows) are the usual starting point.
     */
    public static TrainConfig defaults() {
        return new TrainConfig(3_000_000L, 4096, 3e-3, 0.9, 0.999, 1e-8, 100, 0.2, 5.0, 1000, 1.0 / 32, 0,
                10_000_000L, true, 65_536, 1000, 50, 1, NonFinite.STOP, 0, 0, 4, 65_536, DEFAULT_L0_COEFFICIENT, 0,
                DEFAULT_JUMPRELU_INIT_THRESHOLD, DEFAULT_JUMPRELU_BANDWIDTH, JumpReLULoss.Mode.STEP,
                DEFAULT_JUMPRELU_TANH_SCALE, DEFAULT_TOPK_THRESHOLD_LR);
    }

    public long totalSteps() {
        return (totalTokens + batchSize - 1) / batchSize;
    }
}
