package org.sae4j.trainer;

import org.sae4j.dictionary.Sae;

/**
 * What a finished run produced.
 *
 * @param sae             the trained SAE for raw (unscaled) inputs: input normalisation already folded in
 * @param firingFrequency per latent, the fraction of tokens it fired on over the final window ([dSae])
 * @param steps           steps trained in total
 * @param tokens          tokens trained on in total
 * @param seconds         wall time of this process's part of the run
 * @param last            metrics of the last logged interval
 * @param skippedRows     activation rows dropped for holding NaN/Inf over the whole run (non_finite_inputs = skip)
 * @param firstSkipped    where the first dropped row came from and what it held, or null if none was
 */
public record TrainResult(Sae sae, double[] firingFrequency, long steps, long tokens, double seconds, Metrics last,
                          long skippedRows, String firstSkipped) {
}
