package org.sae4j.activations.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sae4j.formats.BadInputException;

/**
 * Text documents read from a file. Lines end at {@code \n} (a trailing {@code \r} is dropped); a document is its
 * lines joined by {@code \n} with surrounding whitespace stripped; empty documents are dropped.
 */
public final class Corpus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Corpus() {
    }

    /** Reads {@code file}, guessing its format ({@link CorpusFormat#guess}); JSONL reads field {@code text}. */
    public static List<String> read(Path file) throws IOException {
        String text = readUtf8(file);
        return split(file, text, CorpusFormat.guess(file, text), "text");
    }

    public static List<String> read(Path file, CorpusFormat format) throws IOException {
        return read(file, format, "text");
    }

    /**
     * Reads {@code file} in {@code format} (null: guessed, {@link CorpusFormat#guess}); {@code jsonField} names the
     * text field of JSONL records.
     */
    public static List<String> read(Path file, CorpusFormat format, String jsonField) throws IOException {
        String text = readUtf8(file);
        return split(file, text, format != null ? format : CorpusFormat.guess(file, text), jsonField);
    }

    /** The whole file as UTF-8; malformed bytes are bad input naming the file and byte offset. */
    public static String readUtf8(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadInputException("corpus " + file + " is a directory, not a text file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("corpus file not found: " + file);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never needs more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // On error the decoder stops with the input positioned at the first bad byte.
            throw new BadInputException(file + ": invalid UTF-8 at byte offset " + in.position());
        }
        out.flip();
        return out.toString();
    }

    private static List<String> split(Path file, String text, CorpusFormat format, String jsonField) {
        String[] lines = text.split("\n", -1);
        List<String> docs = new ArrayList<>();
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            switch (format) {
                case JSONL -> {
                    if (!line.isBlank()) {
                        add(docs, jsonText(file, i + 1, line, jsonField));
                    }
                }
                case ENDOFTEXT_LINES -> {
                    if (line.strip().equals(CorpusFormat.END_OF_TEXT)) {
                        flush(docs, doc);
                    } else {
                        doc.append(line).append('\n');
                    }
                }
                case BLANK_LINES -> {
                    if (line.isBlank()) {
                        flush(docs, doc);
                    } else {
                        doc.append(line).append('\n');
                    }
                }
            }
        }
        flush(docs, doc);
        return docs;
    }

    private static String jsonText(Path file, int lineNumber, String line, String field) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new BadInputException(file + ": line " + lineNumber + " is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isTextual()) {
            throw new BadInputException(file + ": line " + lineNumber + " has no string field \"" + field + "\"");
        }
        return value.asText();
    }

    private static void flush(List<String> docs, StringBuilder doc) {
        add(docs, doc.toString());
        doc.setLength(0);
    }

    private static void add(List<String> docs, String doc) {
        String stripped = doc.strip();
        if (!stripped.isEmpty()) {
            docs.add(stripped);
        }
    }
}
