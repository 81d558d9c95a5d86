/**
 * File formats every module shares: safetensors read and write (the Hugging Face spec), atomic file writes, the
 * JSON mapper, and {@link org.sae4j.formats.BadInputException}, the error for input a user can fix.
 */
package org.sae4j.formats;
