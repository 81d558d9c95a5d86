/**
 * File formats every module shares: safetensors read and write (the Hugging Face spec), atomic file writes, the
 * JSON mapper, {@link org.sae4j.formats.BadInputException}, the error for input a user can fix, and
 * {@link org.sae4j.formats.Simd}, whether the SIMD kernel bodies of the modules above run.
 */
package org.sae4j.formats;
