package org.sae4j.eval.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code k} largest activations of every feature seen so far, with where they occurred: one bounded min-heap
 * per feature in flat arrays (no object per firing). Among equal activations the earliest occurrence is kept, so
 * the result depends only on the data and its order.
 */
final class TopActivations {
    /** One kept activation. */
    record Entry(float activation, int doc, int position) {
    }

    private final int k;
    private final float[] act; // [dSae, k] heap per feature, root at 0
    private final int[] doc;   // [dSae, k]
    private final int[] pos;   // [dSae, k]
    private final int[] size;  // [dSae]

    TopActivations(int dSae, int k) {
        this.k = k;
        this.act = new float[Math.multiplyExact(dSae, k)];
        this.doc = new int[act.length];
        this.pos = new int[act.length];
        this.size = new int[dSae];
    }

    void offer(int feature, float activation, int document, int position) {
        if (k == 0) {
            return;
        }
        int base = feature * k;
        int n = size[feature];
        if (n < k) {
            set(base + n, activation, document, position);
            size[feature] = n + 1;
            siftUp(base, n);
        } else if (less(act[base], doc[base], pos[base], activation, document, position)) {
            set(base, activation, document, position);
            siftDown(base, k);
        }
    }

    /** The kept activations of {@code feature}, largest first (ties: earliest first). */
    List<Entry> sorted(int feature) {
        List<Entry> out = new ArrayList<>(size[feature]);
        for (int i = 0; i < size[feature]; i++) {
            int at = feature * k + i;
            out.add(new Entry(act[at], doc[at], pos[at]));
        }
        out.sort(Comparator.comparingDouble((Entry e) -> -e.activation()).thenComparingInt(Entry::doc)
                .thenComparingInt(Entry::position));
        return out;
    }

    /** Heap order: a smaller activation is less; among equal ones the later occurrence is less (evicted first). */
    private static boolean less(float a1, int d1, int p1, float a2, int d2, int p2) {
        if (a1 != a2) {
            return a1 < a2;
        }
        return d1 != d2 ? d1 > d2 : p1 > p2;
    }

    private boolean less(int i, int j) {
        return less(act[i], doc[i], pos[i], act[j], doc[j], pos[j]);
    }

    private void set(int at, float a, int d, int p) {
        act[at] = a;
        doc[at] = d;
        pos[at] = p;
    }

    private void swap(int i, int j) {
        float a = act[i];
        int d = doc[i];
        int p = pos[i];
        set(i, act[j], doc[j], pos[j]);
        set(j, a, d, p);
    }

    private void siftUp(int base, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!less(base + i, base + parent)) {
                return;
            }
            swap(base + i, base + parent);
            i = parent;
        }
    }

    private void siftDown(int base, int n) {
        int i = 0;
        while (true) {
            int smallest = i;
            int l = 2 * i + 1;
            int r = l + 1;
            if (l < n && less(base + l, base + smallest)) {
                smallest = l;
            }
            if (r < n && less(base + r, base + smallest)) {
                smallest = r;
            }
            if (smallest == i) {
                return;
            }
            swap(base + i, base + smallest);
            i = smallest;
        }
    }
}
