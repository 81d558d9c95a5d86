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
