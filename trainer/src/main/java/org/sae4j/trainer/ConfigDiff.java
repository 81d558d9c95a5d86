package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.TreeSet;

/** Names the first field where two JSON configs differ, for a one-line resume error. */
final class ConfigDiff {
    private ConfigDiff() {
    }

    static String first(JsonNode saved, JsonNode now) {
        String d = walk("", saved, now);
        return d == null ? "no difference" : d;
    }

    private static String walk(String path, JsonNode a, JsonNode b) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            for (String k : keys) {
                String p = path.isEmpty() ? k : path + "." + k;
                if (!a.has(k) || !b.has(k)) {
                    return p + " is " + (a.has(k) ? "absent now" : "new");
                }
                String d = walk(p, a.get(k), b.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) || a.toString().equals(b.toString()) ? null : path + " was " + a + ", now " + b;
    }
}
