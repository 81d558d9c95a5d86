package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

class TokenizerTest {

    @Test
    void referencePromptEncodesToLlama2cIds() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(
                SharedData.file("reference-greedy-once-upon-a-time.json").toFile());
        int[] expected = GeneratorTest.ints(ref.get("prompt_ids"));
        assertArrayEquals(expected, SharedData.tokenizer().encode(ref.get("prompt").asText(), true, false));
    }

    @Test
    void knownSmallEncodings() {
        Tokenizer tok = SharedData.tokenizer();
        assertArrayEquals(new int[] {1}, tok.encode("", true, false), "empty text is BOS alone (no dummy prefix)");
        assertArrayEquals(new int[] {}, tok.encode("", false, false));
        assertArrayEquals(new int[] {1, 2}, tok.encode("", true, true));
        int space = tok.lookup(" ");
        assertTrue(space >= 0);
        // "é" is a piece of tok512 (and " é" is not), so it stays one token after the dummy-prefix space.
        assertArrayEquals(new int[] {space, tok.lookup("é")}, tok.encode("é", false, false));
        // "日" is not: its UTF-8 bytes E6 97 A5 fall back to byte tokens b+3.
        assertArrayEquals(new int[] {space, 0xE6 + 3, 0x97 + 3, 0xA5 + 3}, tok.encode("日", false, false));
        assertArrayEquals(new int[] {tok.lookup(" a")}, tok.encode("a", false, false), "dummy space merges into \" a\"");
    }

    @Test
    void assortedTextsRoundTripExactly() {
        Tokenizer tok = SharedData.tokenizer();
        String[] texts = {"Once upon a time", "Hello, world! (1+2=3?) \"quoted\" -- 'a'; b: c...",
            "Tom said: \"Let's go!\"\nLily smiled.\n\nThe end.", "café é à ü", "日本", "emoji 😀 and 👍🏽 ok",
            "tab\there", "  leading and trailing  ", "ÿ\u0000\u007f"};
        for (String text : texts) {
            int[] ids = tok.encode(text, true, false);
            // The dummy prefix adds one space; the piece after BOS drops one, so decode(encode(t)) == t.
            assertEquals(text, tok.decode(ids), () -> "round trip of '" + text + "' via " + Arrays.toString(ids));
        }
    }

    @Test
    void heapMergeEqualsLlama2cRescanLoop() throws IOException {
        Tokenizer tok = SharedData.tokenizer();
        java.util.List<String> docs = Corpus.read(SharedData.file("tinystories-valid-head.txt"), CorpusFormat.BLANK_LINES);
        int checked = 0;
        for (int d = 0; d < docs.size(); d += 7) { // every 7th paragraph: ~250 texts of every length
            String text = docs.get(d);
            assertArrayEquals(tok.encodeReference(text, true, false), tok.encode(text, true, false),
                    "paragraph " + d + " encodes differently from the reference loop");
            checked++;
        }
        for (String text : new String[] {"", "a", "aaaaaaaaaaaaaaaa", "  ", "日本 😀 ÿ", "the the the the"}) {
            assertArrayEquals(tok.encodeReference(text, true, true), tok.encode(text, true, true), text);
        }
        assertTrue(checked > 100, "only " + checked + " paragraphs compared");
    }

    @Test
    void multibyteCharacterSplitOverByteTokensDecodesWhole() {
        Tokenizer tok = SharedData.tokenizer();
        int[] ids = {Tokenizer.BOS, 0xE6 + 3, 0x97 + 3, 0xA5 + 3}; // 日 = E6 97 A5
        assertEquals("日", tok.decode(ids));
    }

    @Test
    void fileCutShortIsBadInput(@TempDir Path tmp) throws IOException {
        byte[] full = Files.readAllBytes(SharedData.file("tok512.bin"));
        Path cut = tmp.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(full, full.length - 10));
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.load(cut, 512));
        assertTrue(e.getMessage().contains("cut.bin"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }
}
