package org.sae4j.eval.model;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.sae4j.activations.model.Tokenizer;

/** How a single token is shown in examples and token lists. */
final class TokenText {
    private TokenText() {
    }

    /**
     * The text {@code token} adds after {@code prev} (−1: none), as decoding would produce it; {@code <s>} and
     * {@code </s>} for BOS and EOS; and the piece's own name (e.g. {@code <0xE2>}) for a byte token that is not
     * valid UTF-8 alone or is a control character other than newline and tab, rather than an invisible character.
     */
    static String of(Tokenizer tokenizer, int prev, int token) {
        if (token == Tokenizer.BOS) {
            return "<s>";
        }
        if (token == Tokenizer.EOS) {
            return "</s>";
        }
        byte[] bytes = tokenizer.pieceBytes(prev, token);
        if (bytes.length == 1 && (bytes[0] < 0x20 || bytes[0] == 0x7f) && bytes[0] != '\n' && bytes[0] != '\t') {
            return new String(tokenizer.piece(token), StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(tokenizer.piece(token), StandardCharsets.ISO_8859_1);
        }
    }
}
