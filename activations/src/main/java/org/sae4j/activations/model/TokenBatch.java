package org.sae4j.activations.model;

import java.util.Arrays;
import java.util.List;

/**
 * Several token sequences of possibly different lengths, packed row after row without padding: sequence {@code s}
 * occupies rows {@code [offset(s), offset(s) + length(s))} of every activation the model computes, and its first
 * token sits at position 0 (RoPE angle 0). Attention never crosses from one sequence into another.
 */
public final class TokenBatch {

    private final int[] tokens;  // [rows], all sequences back to back
    private final int[] offsets; // [size + 1], offsets[s] = first row of sequence s, offsets[size] = rows

    private TokenBatch(int[] tokens, int[] offsets) {
        this.tokens = tokens;
        this.offsets = offsets;
    }

    /** Copies the sequences; each must be non-empty. */
    public static TokenBatch of(int[]... sequences) {
        if (sequences.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        int[] offsets = new int[sequences.length + 1];
        for (int s = 0; s < sequences.length; s++) {
            if (sequences[s].length == 0) {
                throw new IllegalArgumentException("sequence " + s + " is empty");
            }
            offsets[s + 1] = Math.addExact(offsets[s], sequences[s].length);
        }
        int[] tokens = new int[offsets[sequences.length]];
        for (int s = 0; s < sequences.length; s++) {
            System.arraycopy(sequences[s], 0, tokens, offsets[s], sequences[s].length);
        }
        return new TokenBatch(tokens, offsets);
    }

    public static TokenBatch of(List<int[]> sequences) {
        return of(sequences.toArray(new int[0][]));
    }

    /** Total rows (tokens) over all sequences. */
    public int rows() {
        return tokens.length;
    }

    /** Number of sequences. */
    public int size() {
        return offsets.length - 1;
    }

    public int length(int sequence) {
        return offsets[sequence + 1] - offsets[sequence];
    }

    public int longest() {
        int max = 0;
        for (int s = 0; s < size(); s++) {
            max = Math.max(max, length(s));
        }
        return max;
    }

    /** First row of {@code sequence}. */
    public int offset(int sequence) {
        return offsets[sequence];
    }

    /** Token id at {@code row}. */
    public int token(int row) {
        return tokens[row];
    }

    /** The sequence {@code row} belongs to. */
    public int sequenceOf(int row) {
        if (row < 0 || row >= tokens.length) {
            throw new IndexOutOfBoundsException("row " + row + " of " + tokens.length);
        }
        int s = Arrays.binarySearch(offsets, row);
        if (s >= 0) {
            // Offsets are strictly increasing (no empty sequences), so an exact hit is that sequence's first row.
            return s;
        }
        return -s - 2;
    }

    /** Position of {@code row} inside its sequence. */
    public int positionOf(int row) {
        return row - offsets[sequenceOf(row)];
    }

    /** A copy of one sequence's tokens. */
    public int[] sequence(int sequence) {
        return Arrays.copyOfRange(tokens, offsets[sequence], offsets[sequence + 1]);
    }
}
