package org.sae4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

class RunFolderTest {
    @TempDir
    Path tmp;

    @Test
    void metricsBecomeColumnsAndACutShortLastLineIsSkipped() throws Exception {
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, """
                {"step":50,"tokens":1000,"loss":3.5,"l0":8.0}
                {"step":100,"tokens":2000,"loss":2.5,"l0":8.0,"dead_fraction":0.25}

                {"step":150,"tokens":3000,"lo""");
        List<String> notes = new ArrayList<>();
        Map<String, double[]> c = RunFolder.curves(file, notes);
        assertEquals(List.of("tokens", "step", "loss", "l0", "dead_fraction"), List.copyOf(c.keySet()),
                "tokens first, then the order the lines name them");
        assertArrayEquals(new double[] {1000, 2000}, c.get("tokens"));
        assertArrayEquals(new double[] {3.5, 2.5}, c.get("loss"));
        assertTrue(Double.isNaN(c.get("dead_fraction")[0]), "a metric a line lacks is NaN there");
        assertEquals(1, notes.size(), "the skipped line is noted: " + notes);
    }

    @Test
    void aMalformedLineBeforeTheLastIsBadInput() throws Exception {
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, "{\"tokens\":1}\nnot json\n{\"tokens\":2}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> RunFolder.curves(file, new ArrayList<>()));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
