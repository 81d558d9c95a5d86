package org.sae4j.trainer;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sae4j.activations.NonFinite;

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
        int resampleSampleRows) {

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
    }

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

    /** The config without dead-latent resampling, for callers that predate it. */
    public TrainConfig(long totalTokens, int batchSize, double lr, double adamBeta1, double adamBeta2,
                       double adamEpsilon, int lrWarmupSteps, double lrDecayFraction, double l1Coefficient,
                       int l1WarmupSteps, double auxKCoefficient, int kAux, long deadTokensThreshold,
                       boolean normalizeActivations, int initSampleRows, int checkpointEverySteps, int logEverySteps,
                       long seed, NonFinite nonFiniteInputs) {
        this(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps, lrDecayFraction,
                l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold, normalizeActivations,
                initSampleRows, checkpointEverySteps, logEverySteps, seed, nonFiniteInputs, 0, 0, 4, 65_536);
    }

    /** The same config with {@code policy} for NaN/Inf inputs. */
    public TrainConfig withNonFiniteInputs(NonFinite policy) {
        return new TrainConfig(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps,
                lrDecayFraction, l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold,
                normalizeActivations, initSampleRows, checkpointEverySteps, logEverySteps, seed, policy,
                resampleEverySteps, resampleWindowSteps, resampleEvents, resampleSampleRows);
    }

    /** The same config resampling dead latents every {@code everySteps} steps, with the other settings as given. */
    public TrainConfig withResampling(int everySteps, int windowSteps, int events, int sampleRows) {
        return new TrainConfig(totalTokens, batchSize, lr, adamBeta1, adamBeta2, adamEpsilon, lrWarmupSteps,
                lrDecayFraction, l1Coefficient, l1WarmupSteps, auxKCoefficient, kAux, deadTokensThreshold,
                normalizeActivations, initSampleRows, checkpointEverySteps, logEverySteps, seed, nonFiniteInputs,
                everySteps, windowSteps, events, sampleRows);
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
                10_000_000L, true, 65_536, 1000, 50, 1, NonFinite.STOP, 0, 0, 4, 65_536);
    }

    public long totalSteps() {
        return (totalTokens + batchSize - 1) / batchSize;
    }
}
