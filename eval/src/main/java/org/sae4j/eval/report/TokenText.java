package org.sae4j.eval.report;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.sae4j.activations.model.Tokenizer;

/**
 * A token as text for display: its piece as decoded after the previous token (so a word after BOS loses its dummy
 * space, as llama2.c prints it). BOS and EOS show as {@code <s>} and {@code </s>}; a byte-fallback token shows its
 * character when it is ASCII and {@code <0xHH>} otherwise, since one byte of a multi-byte character is no character.
 */
final class TokenText {
    private TokenText() {
    }

    /** {@code prev} is the token before, or −1 when there is none (logit tables list tokens on their own). */
    static String of(Tokenizer tokenizer, int prev, int token) {
        if (token == Tokenizer.BOS) {
            return "<s>";
        }
        if (token == Tokenizer.EOS) {
            return "</s>";
        }
        byte[] bytes = tokenizer.pieceBytes(prev, token);
        if (bytes.length == 1 && bytes[0] < 0) {
            return String.format(Locale.ROOT, "<0x%02X>", bytes[0] & 0xff);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
