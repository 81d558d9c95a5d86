package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.sae4j.dictionary.Architecture;
import org.sae4j.formats.BadInputException;

/** {@code --matryoshka-widths} read into the architecture, d_sae appended when missing, as SAELens appends it. */
final class MatryoshkaWidths {
    private MatryoshkaWidths() {
    }

    static Architecture.MatryoshkaBatchTopK architecture(int k, JsonNode widths, int dSae) {
        if (!widths.isArray() || widths.isEmpty()) {
            throw new BadInputException("--matryoshka-widths is required for --architecture matryoshka"
                    + " (nested prefix sizes, e.g. 128,256," + dSae + ")");
        }
        List<Integer> list = new ArrayList<>();
        for (JsonNode w : widths) {
            if (!w.isInt() || w.asInt() < 1) {
                throw new BadInputException("--matryoshka-widths: expected positive whole numbers, got " + widths);
            }
            list.add(w.asInt());
        }
        if (list.get(list.size() - 1) > dSae) {
            throw new BadInputException("--matryoshka-widths: " + list.get(list.size() - 1) + " exceeds d_sae = "
                    + dSae);
        }
        if (list.get(list.size() - 1) < dSae) {
            list.add(dSae);
        }
        try {
            return new Architecture.MatryoshkaBatchTopK(k, list);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--matryoshka-widths: " + e.getMessage());
        }
    }
}
