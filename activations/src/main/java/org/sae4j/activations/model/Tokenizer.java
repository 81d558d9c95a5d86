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
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
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
    /** a·vocab + b to the id of piece(a)+piece(b) or −1, filled as pairs are met (concurrent: encode is). */
    private final Map<Long, Integer> pairs = new ConcurrentHashMap<>();

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
        int[] initial = initialTokens(text, bos);
        int[] merged = merge(initial);
        return eos ? append(merged, EOS) : merged;
    }

    /** {@link #encode} by llama2.c's literal loop (rescan every pair after each merge): the reference for tests. */
    int[] encodeReference(String text, boolean bos, boolean eos) {
        List<Integer> tokens = new ArrayList<>();
        for (int id : initialTokens(text, bos)) {
            tokens.add(id);
        }
        mergeReference(tokens);
        int[] merged = tokens.stream().mapToInt(Integer::intValue).toArray();
        return eos ? append(merged, EOS) : merged;
    }

    /** BOS, the dummy-prefix space, then one piece per code point or its UTF-8 bytes as byte tokens. */
    private int[] initialTokens(String text, boolean bos) {
        int[] tokens = new int[2 + 4 * text.length()]; // at most 4 UTF-8 bytes per char
        int n = 0;
        if (bos) {
            tokens[n++] = BOS;
        }
        if (!text.isEmpty()) {
            Integer space = ids.get(" ");
            if (space != null) {
                tokens[n++] = space;
            }
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            byte[] utf8 = text.substring(i, next).getBytes(StandardCharsets.UTF_8);
            Integer id = ids.get(key(utf8));
            if (id != null) {
                tokens[n++] = id;
            } else {
                for (byte b : utf8) {
                    tokens[n++] = (b & 0xff) + BYTE_FALLBACK_OFFSET;
                }
            }
            i = next;
        }
        return Arrays.copyOf(tokens, n);
    }

    private static int[] append(int[] a, int id) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = id;
        return out;
    }

    /** A mergeable adjacent pair: node {@code left} holding {@code a}, its right neighbour holding {@code b}. */
    private record Candidate(float score, int left, int a, int b, int merged) {
    }

    /**
     * The BPE loop of {@link #mergeReference} in O(n log n): the same merges in the same order. The reference
     * merges the best-scoring pair, the leftmost on ties; here the pairs wait in a heap ordered by (score desc,
     * left node asc). Nodes keep their initial index and merging keeps the left one, so node order is list order
     * and the tie-break agrees. A heap entry is stale once either node changed; it is skipped when popped.
     */
    private int[] merge(int[] tokens) {
        int n = tokens.length;
        int[] tok = tokens.clone();     // [n] current token of each node
        int[] next = new int[n];        // [n] right neighbour, or n
        int[] prev = new int[n];        // [n] left neighbour, or -1
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
            alive[i] = true;
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>((x, y) -> x.score() != y.score()
                ? Float.compare(y.score(), x.score()) : Integer.compare(x.left(), y.left()));
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, i, tok[i], tok[i + 1]);
        }
        while (!heap.isEmpty()) {
            Candidate c = heap.poll();
            int i = c.left();
            int j = alive[i] ? next[i] : n;
            if (j >= n || tok[i] != c.a() || tok[j] != c.b()) {
                continue; // stale: a neighbour merged since this pair was queued
            }
            tok[i] = c.merged();
            alive[j] = false;
            next[i] = next[j];
            if (next[j] < n) {
                prev[next[j]] = i;
            }
            if (prev[i] >= 0) {
                offer(heap, prev[i], tok[prev[i]], tok[i]);
            }
            if (next[i] < n) {
                offer(heap, i, tok[i], tok[next[i]]);
            }
        }
        int[] out = new int[n];
        int m = 0;
        for (int i = 0; i < n; i = next[i]) { // node 0 is never merged away
            out[m++] = tok[i];
        }
        return Arrays.copyOf(out, m);
    }

    private void offer(PriorityQueue<Candidate> heap, int left, int a, int b) {
        int merged = pairId(a, b);
        // llama2.c starts its search at -1e10 and merges only strictly better scores.
        if (merged >= 0 && scores[merged] > -1e10f) {
            heap.add(new Candidate(scores[merged], left, a, b, merged));
        }
    }

    /** The id of piece(a) + piece(b), or −1; memoized since a text repeats the same few pairs. */
    private int pairId(int a, int b) {
        // a·vocab + b: distinct per pair and, unlike (a << 32 | b), spread by Long.hashCode (which folds to a ^ b).
        long pair = (long) a * pieces.length + b;
        Integer cached = pairs.get(pair);
        if (cached == null) {
            cached = ids.getOrDefault(key(pieces[a]) + key(pieces[b]), -1);
            pairs.put(pair, cached);
        }
        return cached;
    }

    /**
     * The BPE loop: merge the best-scoring adjacent pair until no pair merges. Like llama2.c it also looks at the
     * pair starting at BOS, which never merges since no piece begins with BOS's.
     */
    private void mergeReference(List<Integer> tokens) {
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
