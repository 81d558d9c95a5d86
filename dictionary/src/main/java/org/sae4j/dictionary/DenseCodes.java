package org.sae4j.dictionary;

/**
 * What the caller reads of a dense code buffer {@code f [rows, dSae]} (standard, gated and JumpReLU passes keep every
 * code; a latent is active when its code is above zero).
 */
final class DenseCodes {
    private DenseCodes() {
    }

    /** Number of codes above zero in row r. */
    static int l0(float[] f, int dSae, int r) {
        int n = 0;
        for (int j = r * dSae; j < (r + 1) * dSae; j++) {
            n += f[j] > 0f ? 1 : 0;
        }
        return n;
    }

    /** Sum of the codes of row r. */
    static double l1(float[] f, int dSae, int r) {
        double s = 0;
        for (int j = r * dSae; j < (r + 1) * dSae; j++) {
            s += f[j];
        }
        return s;
    }

    /** (row, latent, code) for every code above zero, row by row. */
    static void forEachActive(float[] f, int rows, int dSae, SaeWorkspace.ActiveVisitor visitor) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dSae; j++) {
                if (f[r * dSae + j] > 0f) {
                    visitor.visit(r, j, f[r * dSae + j]);
                }
            }
        }
    }
}
