package org.sae4j.activations.model;

import java.nio.file.Path;

/** How a text file is split into documents. */
public enum CorpusFormat {
    /** Documents separated by a line {@code <|endoftext|>} (TinyStories' train split, GPT-2 style dumps). */
    ENDOFTEXT_LINES,
    /** Documents (paragraphs) separated by one or more blank lines. */
    BLANK_LINES,
    /** One JSON object per line with the document in a string field (default {@code text}). */
    JSONL;

    /** The separator line of {@link #ENDOFTEXT_LINES}. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** The name used in settings and flags: {@code endoftext}, {@code blank-lines}, {@code jsonl}. */
    public String label() {
        return switch (this) {
            case ENDOFTEXT_LINES -> "endoftext";
            case BLANK_LINES -> "blank-lines";
            case JSONL -> "jsonl";
        };
    }

    /** Parses a {@link #label()}; {@code auto} (or null) gives null, meaning: guess from the file. */
    public static CorpusFormat parse(String label) {
        if (label == null || label.equals("auto")) {
            return null;
        }
        for (CorpusFormat f : values()) {
            if (f.label().equals(label)) {
                return f;
            }
        }
        throw new org.sae4j.formats.BadInputException("unknown text format '" + label
                + "' (auto, endoftext, blank-lines or jsonl)");
    }

    /** {@code .jsonl}/{@code .ndjson} is JSONL; text with an {@code <|endoftext|>} line uses those; else blank lines. */
    public static CorpusFormat guess(Path file, String text) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        for (String line : text.split("\n", -1)) {
            if (line.strip().equals(END_OF_TEXT)) {
                return ENDOFTEXT_LINES;
            }
        }
        return BLANK_LINES;
    }
}
