package org.sae4j.formats;

import java.util.Arrays;

/**
 * How a stored array is read as rows of activations: its last dimension is a row's width (d_in) and every earlier
 * dimension is flattened into rows in C order, so a [batch, seq, d] cache (what TransformerLens and most harvesting
 * scripts save) reads as batch·seq rows, as sparsify and SAELens flatten such caches before training. A [rows, d]
 * array reads as itself.
 */
public final class RowShape {
    private final long[] shape; // the stored shape, rank ≥ 2
    private final long rows;    // the product of every dimension but the last
    private final int width;    // the last dimension, 1 .. Integer.MAX_VALUE

    private RowShape(long[] shape, long rows, int width) {
        this.shape = shape.clone();
        this.rows = rows;
        this.width = width;
    }

    /**
     * The rows of {@code shape}, or a {@link BadInputException} naming {@code where} (a file, and its tensor or
     * dataset) when the shape has no rows to give: rank below 2, an empty or oversized last dimension, or a row
     * count past 64 bits.
     */
    public static RowShape of(long[] shape, String where) {
        if (shape.length < 2) {
            throw new BadInputException(where + " has shape " + Arrays.toString(shape)
                    + "; expected [rows, d_in] or more dimensions whose last is d_in, such as [batch, seq, d_in]");
        }
        long width = shape[shape.length - 1];
        if (width < 1 || width > Integer.MAX_VALUE) {
            throw new BadInputException(where + " has " + width + " columns (its last dimension); expected 1 .. "
                    + Integer.MAX_VALUE);
        }
        long rows = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            if (shape[i] < 0) {
                throw new BadInputException(where + " has shape " + Arrays.toString(shape) + " with a negative size");
            }
            try {
                rows = Math.multiplyExact(rows, shape[i]);
            } catch (ArithmeticException e) {
                throw new BadInputException(where + " has shape " + Arrays.toString(shape)
                        + " whose row count overflows 64 bits");
            }
        }
        return new RowShape(shape, rows, (int) width);
    }

    /** The stored shape. */
    public long[] shape() {
        return shape.clone();
    }

    public long rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    /** Whether leading dimensions were flattened (rank above 2). */
    public boolean flattened() {
        return shape.length > 2;
    }

    /** Row {@code row}'s indices in the stored shape's leading dimensions (C order): [rank − 1]. */
    public long[] index(long row) {
        long[] index = new long[shape.length - 1];
        long rest = row;
        for (int i = index.length - 1; i >= 0; i--) {
            index[i] = rest % shape[i];
            rest /= shape[i];
        }
        return index;
    }

    /**
     * Row {@code row} named for a person: "row 133", and for a flattened array also its index in the stored shape,
     * "row 133 (index [1, 5])" of a [batch, 128, d] array, so it can be found in the file the user wrote.
     */
    public String row(long row) {
        return flattened() ? "row " + row + " (index " + Arrays.toString(index(row)) + ")" : "row " + row;
    }
}
