package org.sae4j.eval.report;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.sae4j.activations.model.Tokenizer;

/**
 * Tokens as text for display, computed once per vocabulary entry (a report shows millions of tokens): a piece as
 * decoded after the previous token, so a word after BOS loses its dummy space as llama2.c prints it. BOS and EOS show
 * as {@code <s>} and {@code </s>}; a byte-fallback token shows its character when it is ASCII and {@code <0xHH>}
 * otherwise, since one byte of a multi-byte character is no character.
 */
final class TokenText {
    private final String[] plain;    // [vocab] each token on its own (after anything but BOS)
    private final String[] afterBos; // [vocab] each token right after BOS

    TokenText(Tokenizer tokenizer) {
        int vocab = tokenizer.vocabSize();
        plain = new String[vocab];
        afterBos = new String[vocab];
        for (int t = 0; t < vocab; t++) {
            plain[t] = text(tokenizer, -1, t);
            afterBos[t] = text(tokenizer, Tokenizer.BOS, t);
        }
    }

    /** {@code token} as shown after {@code prev} (−1 when there is none). */
    String of(int prev, int token) {
        return prev == Tokenizer.BOS ? afterBos[token] : plain[token];
    }

    private static String text(Tokenizer tokenizer, int prev, int token) {
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
