package org.sae4j.eval.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sae4j.activations.model.Tokenizer;

class TokenTextTest {
    private final Tokenizer tok = TinyModel.tokenizer();

    @Test
    void tokensShowAsDecodingWouldWithMarkersForWhatIsInvisible() {
        int theWithSpace = tok.lookup(" the");
        assertEquals(" the", TokenText.of(tok, -1, theWithSpace), "a piece keeps its leading space");
        assertEquals("the", TokenText.of(tok, Tokenizer.BOS, theWithSpace), "except right after BOS, as decode");
        assertEquals("<s>", TokenText.of(tok, -1, Tokenizer.BOS));
        assertEquals("</s>", TokenText.of(tok, -1, Tokenizer.EOS));
        assertEquals("A", TokenText.of(tok, -1, 'A' + 3), "a printable byte token is its character");
        assertEquals("\n", TokenText.of(tok, -1, '\n' + 3), "newline is shown as itself");
        assertEquals("<0x05>", TokenText.of(tok, -1, 5 + 3), "a control byte by its piece name");
        assertEquals("<0xE2>", TokenText.of(tok, -1, 0xE2 + 3), "half a UTF-8 character by its piece name");
    }
}
