/**
 * The {@code sae4j} command line: one class per command (train, eval, info, convert, generate, loss, harvest, steer,
 * report; the ones reading a saved SAE take a SAELens or sparsify folder alike), the settings resolver (defaults, then
 * a JSON config file, then flags), the options of commands that run the SAE inside the language model
 * ({@link org.sae4j.cli.ModelOptions}), progress display, and {@link org.sae4j.cli.Main}, which maps errors to exit
 * codes (0 success; 2 bad input or a file that cannot be read or written, with one clear line; 3 training diverged;
 * 1 internal error).
 */
package org.sae4j.cli;
