package org.sae4j.activations.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sae4j.formats.BadInputException;

/**
 * The SentencePiece-style BPE tokenizer in llama2.c's {@code tokenizer.bin} format: int32 max_token_length, then per
 * token float32 score, int32 length, that many bytes. Encoding and decoding follow llama2.c's {@code run.c}: ids 0, 1,
 * 2 are unk, BOS, EOS; byte b falls back to id b+3 ({@code <0xHH>}).
 */
public final class Tokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final int BYTE_FALLBACK_OFFSET = 3;

    private final byte[][] pieces; // [vocab][len]
    private final float[] scores;  // [vocab]
    /** piece bytes (as ISO-8859-1 chars, one char per byte) to id; the first id wins for a repeated piece. */
    private final Map<String, Integer> ids;

    public Tokenizer(byte[][] pieces, float[] scores) {
        if (pieces.length != scores.length) {
            throw new IllegalArgumentException(pieces.length + " pieces but " + scores.length + " scores");
        }
        this.pieces = pieces.clone();
        this.scores = scores.clone();
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(key(pieces[i]), i);
        }
    }

    /** Reads a llama2.c tokenizer file holding {@code vocabSize} tokens (the count is not in the file). */
    public static Tokenizer load(Path file, int vocabSize) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("tokenizer file not found: " + file);
        }
        if (vocabSize < 1) {
            throw new BadInputException(file + ": vocabulary size must be positive, got " + vocabSize);
        }
        // Each token takes at least 8 bytes (score, length), so the file bounds the vocabulary before it sizes an array.
        long room = Math.max(0, bytes.length - 4L) / 8;
        if (vocabSize > room) {
            throw new BadInputException(file + ": " + bytes.length + " bytes has room for at most " + room
                    + " tokens, not " + vocabSize + "; file cut short or the vocabulary size is wrong");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        int i = 0;
        try {
            int maxLen = in.getInt();
            for (; i < vocabSize; i++) {
                scores[i] = in.getFloat();
                int len = in.getInt();
                if (len < 0 || len > maxLen || len > in.remaining()) {
                    throw new BadInputException(file + ": token " + i + " claims " + len + " bytes at offset "
                            + (in.position() - 4) + " (max_token_length " + maxLen + ", " + in.remaining()
                            + " bytes left); file cut short or not a llama2.c tokenizer");
                }
                pieces[i] = new byte[len];
                in.get(pieces[i]);
            }
        } catch (BufferUnderflowException e) {
            throw new BadInputException(file + ": ends after " + i + " of " + vocabSize
                    + " tokens; file cut short or not a llama2.c tokenizer");
        }
        if (in.hasRemaining()) {
            throw new BadInputException(file + ": " + in.remaining() + " bytes left after " + vocabSize
                    + " tokens; the vocabulary size does not match the tokenizer");
        }
        return new Tokenizer(pieces, scores);
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** The raw bytes of a piece. */
    public byte[] piece(int id) {
        return pieces[id].clone();
    }

    /**
     * Encodes as llama2.c does: optional BOS; a {@code " "} dummy-prefix token if the text is non-empty; each code
     * point as its piece or else its UTF-8 bytes as byte tokens; then greedy merging of the adjacent pair with the
     * best-scoring concatenation until none is in the vocabulary.
     */
    public int[] encode(String text, boolean bos, boolean eos) {
        List<Integer> tokens = new ArrayList<>();
        if (bos) {
            tokens.add(BOS);
        }
        if (!text.isEmpty()) {
            Integer space = ids.get(" ");
            if (space != null) {
                tokens.add(space);
            }
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            byte[] utf8 = text.substring(i, next).getBytes(StandardCharsets.UTF_8);
            Integer id = ids.get(key(utf8));
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : utf8) {
                    tokens.add((b & 0xff) + BYTE_FALLBACK_OFFSET);
                }
            }
            i = next;
        }
        merge(tokens);
        if (eos) {
            tokens.add(EOS);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The BPE loop: merge the best-scoring adjacent pair until no pair merges. Like llama2.c it also looks at the
     * pair starting at BOS, which never merges since no piece begins with BOS's.
     */
    private void merge(List<Integer> tokens) {
        while (true) {
            float bestScore = -1e10f; // llama2.c's starting value
            int bestId = -1;
            int bestIdx = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer id = ids.get(key(pieces[tokens.get(i)]) + key(pieces[tokens.get(i + 1)]));
                if (id != null && scores[id] > bestScore) {
                    bestScore = scores[id];
                    bestId = id;
                    bestIdx = i;
                }
            }
            if (bestIdx < 0) {
                return;
            }
            tokens.set(bestIdx, bestId);
            tokens.remove(bestIdx + 1);
        }
    }

    /**
     * Decodes ids to text: BOS and EOS are markers and produce nothing; a piece right after BOS drops its leading
     * space; {@code <0xHH>} pieces are raw bytes. The bytes of all pieces are joined before UTF-8 decoding, so a
     * character split over byte tokens comes back whole (malformed bytes become U+FFFD).
     */
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = -1;
        for (int t : tokens) {
            if (t < 0 || t >= pieces.length) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, "
                        + pieces.length + ")");
            }
            if (t != BOS && t != EOS) {
                out.writeBytes(pieceBytes(prev, t));
            }
            prev = t;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("REPLACE cannot fail", e);
        }
    }

    /** The bytes {@code token} contributes after {@code prev}, as llama2.c's {@code decode(prev, token)}. */
    public byte[] pieceBytes(int prev, int token) {
        byte[] p = pieces[token];
        int b = parseByteToken(p);
        if (b >= 0) {
            return new byte[] {(byte) b};
        }
        if (prev == BOS && p.length > 0 && p[0] == ' ') {
            return Arrays.copyOfRange(p, 1, p.length);
        }
        return p.clone();
    }

    /** {@code <0xHH>} → HH, anything else → −1. */
    private static int parseByteToken(byte[] p) {
        if (p.length != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') {
            return -1;
        }
        int hi = Character.digit(p[3], 16);
        int lo = Character.digit(p[4], 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /** A byte string as a map key: ISO-8859-1 maps each byte to one char, so concatenation commutes with it. */
    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Id of the piece equal to {@code text}'s UTF-8 bytes, or −1. */
    public int lookup(String text) {
        return ids.getOrDefault(key(text.getBytes(StandardCharsets.UTF_8)), -1);
    }
}
