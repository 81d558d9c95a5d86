package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

class CorpusTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void endOfTextSeparatedDocuments() throws IOException {
        Path f = write("a.txt", "One story.\nStill one.\n<|endoftext|>\nTwo.\r\n<|endoftext|>\n\n<|endoftext|>\n");
        assertEquals(CorpusFormat.ENDOFTEXT_LINES, CorpusFormat.guess(f, Files.readString(f)));
        assertEquals(List.of("One story.\nStill one.", "Two."), Corpus.read(f));
    }

    @Test
    void blankLineSeparatedDocuments() throws IOException {
        Path f = write("b.txt", "First para\nline two\n\n  \n\nSecond\n");
        assertEquals(List.of("First para\nline two", "Second"), Corpus.read(f));
    }

    @Test
    void jsonlDocumentsAndBadLines() throws IOException {
        Path f = write("c.jsonl", "{\"text\": \"Hi there\", \"id\": 1}\n\n{\"text\": \"日本\\n!\"}\n");
        assertEquals(List.of("Hi there", "日本\n!"), Corpus.read(f));
        Path bad = write("d.jsonl", "{\"text\": \"ok\"}\n{\"body\": \"x\"}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Corpus.read(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void invalidUtf8NamesFileAndByteOffset() throws IOException {
        byte[] ascii = "abc\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[ascii.length + 3];
        System.arraycopy(ascii, 0, bytes, 0, ascii.length);
        bytes[ascii.length] = 'x';
        bytes[ascii.length + 1] = (byte) 0xC3; // lead byte followed by a non-continuation byte
        bytes[ascii.length + 2] = 'y';
        Path f = Files.write(tmp.resolve("bad.txt"), bytes);
        BadInputException e = assertThrows(BadInputException.class, () -> Corpus.read(f));
        assertTrue(e.getMessage().contains("bad.txt") && e.getMessage().contains("byte offset 6"), e.getMessage());
    }

    @Test
    void windowsStartAtBosAndMaskItOut() {
        Tokenizer tok = SharedData.tokenizer();
        List<String> docs = List.of("Once upon a time there was a dog.", "The cat sat.");
        List<ContextWindow> truncated = ContextWindows.build(docs, tok, 8, WindowPolicy.TRUNCATE);
        assertEquals(2, truncated.size());
        assertEquals(8, truncated.get(0).length());
        assertEquals(Tokenizer.BOS, truncated.get(0).tokens()[0]);
        assertFalse(truncated.get(0).harvest()[0], "BOS is not harvested by default");
        assertEquals(7, truncated.get(0).harvestCount());

        int total = tok.encode(docs.get(0), true, false).length + tok.encode(docs.get(1), true, false).length;
        List<ContextWindow> packed = ContextWindows.build(docs, tok, 5, WindowPolicy.PACK);
        assertEquals(total / 5, packed.size(), "the incomplete last window is dropped");
        int bosSeen = 0;
        for (ContextWindow w : packed) {
            assertEquals(5, w.length());
            for (int i = 0; i < 5; i++) {
                assertEquals(w.tokens()[i] != Tokenizer.BOS, w.harvest()[i]);
                bosSeen += w.tokens()[i] == Tokenizer.BOS ? 1 : 0;
            }
        }
        assertEquals(2, bosSeen, "both documents open with BOS inside the packed stream");
        boolean[] all = ContextWindows.build(docs, tok, 5, WindowPolicy.PACK, true).get(0).harvest();
        assertArrayEquals(new boolean[] {true, true, true, true, true}, all);
    }
}
