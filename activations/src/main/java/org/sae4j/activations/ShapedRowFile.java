package org.sae4j.activations;

import org.sae4j.formats.RowShape;

/**
 * A {@link RowFile} over one stored array: its row count, its width and the names of its rows in error messages all
 * follow from the array's {@link RowShape}, so a reader gives only that.
 */
interface ShapedRowFile extends RowFile {
    RowShape rowShape();

    @Override
    default int dIn() {
        return rowShape().width();
    }

    @Override
    default long rows() {
        return rowShape().rows();
    }

    /** The file, and the row with its index in the stored shape when leading dimensions were flattened. */
    @Override
    default String locate(long row) {
        return describe() + ": " + rowShape().row(row);
    }
}
