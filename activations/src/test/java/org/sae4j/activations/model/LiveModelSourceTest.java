package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.activations.SourceConfig;
import org.sae4j.formats.BadInputException;

/**
 * The live source on stories260K over 30 held-out paragraphs cut into 64-token windows (~1,900 rows an epoch, in
 * blocks of ~300 rows): the stream is a pure function of seed and cursor (tolerance 0), sources sharing one model
 * pass equal sources run alone (tolerance 0), and each epoch is every harvested row once (matched one to one against
 * a direct capture within 1e-4, LlamaModelTest's batching tolerance, since the blocks batch windows differently).
 */
class LiveModelSourceTest {

    private static final int CONTEXT = 64;
    private static final HookPoint RESID_POST_2 = new HookPoint(2, HookKind.RESID_POST);

    @TempDir
    static Path dir;
    private static Path text;
    private static List<String> paragraphs;

    @BeforeAll
    static void smallCorpus() throws IOException {
        paragraphs = Corpus.read(SharedData.file("tinystories-valid-head.txt"), CorpusFormat.BLANK_LINES)
                .subList(0, 30);
        text = dir.resolve("small.txt");
        Files.writeString(text, String.join("\n\n", paragraphs) + "\n");
    }

    private static SourceConfig.Model config(HookPoint point, long seed) {
        return new SourceConfig.Model(SharedData.file("stories260K.bin").toString(),
                SharedData.file("tok512.bin").toString(), text.toString(), CorpusFormat.BLANK_LINES, point, CONTEXT,
                WindowPolicy.TRUNCATE, false, 200, 300, seed);
    }

    private static float[] read(LiveModelSource s, int rows, int chunk) throws IOException {
        float[] out = new float[rows * s.dIn()];
        float[] buf = new float[chunk * s.dIn()];
        for (int done = 0; done < rows; done += chunk) {
            int n = Math.min(chunk, rows - done);
            s.next(buf, n);
            System.arraycopy(buf, 0, out, done * s.dIn(), n * s.dIn());
        }
        return out;
    }

    @Test
    void sameSeedSameStreamAndSeekResumesExactly() throws IOException {
        try (LiveModelSource a = config(RESID_POST_2, 7).open(); LiveModelSource b = config(RESID_POST_2, 7).open()) {
            int n = (int) a.rowsPerEpoch();
            int d = a.dIn();
            int total = n + 700; // into the second epoch
            float[] stream = read(a, total, 37);
            assertEquals(total, a.position());
            assertArrayEquals(stream, read(b, total, 512), 0f, "another source with the same seed, other chunking");

            for (int p : new int[] {0, 5, 333, n - 3, n, n + 11}) {
                b.seek(p);
                float[] resumed = read(b, 250, 64);
                assertArrayEquals(Arrays.copyOfRange(stream, p * d, (p + 250) * d), resumed, 0f,
                        "250 rows after seek(" + p + ") of an epoch of " + n);
                assertEquals(p + 250, b.position());
            }
        }
    }

    @Test
    void everyEpochIsEveryHarvestedRowOnceInAFreshOrder() throws IOException {
        List<ContextWindow> windows = ContextWindows.build(paragraphs, SharedData.tokenizer(), CONTEXT,
                WindowPolicy.TRUNCATE);
        ActivationCapture.Rows direct = new ActivationCapture(SharedData.model(), List.of(RESID_POST_2), 1 << 16)
                .run(windows);
        try (LiveModelSource s = config(RESID_POST_2, 11).open()) {
            int n = (int) s.rowsPerEpoch();
            assertEquals(direct.count(), n, "rows per epoch = harvested (non-BOS) positions");
            assertEquals(windows.stream().mapToInt(ContextWindow::length).sum() - windows.size(), n);
            float[] epoch0 = read(s, n, 1000);
            float[] epoch1 = read(s, n, 1000);
            assertOneToOne(direct.activations().get(0), epoch0, s.dIn(), "epoch 0");
            assertOneToOne(direct.activations().get(0), epoch1, s.dIn(), "epoch 1");
            assertFalse(Arrays.equals(epoch0, epoch1), "epoch 1 is in another order");
            assertFalse(Arrays.equals(epoch0, direct.activations().get(0)), "the stream is shuffled");
        }
    }

    @Test
    void sharedPassEqualsSourcesRunAlone() throws IOException {
        HookPoint mlp1 = new HookPoint(1, HookKind.MLP_OUT);
        List<LiveModelSource> shared = LiveModelSource.openShared(List.of(config(RESID_POST_2, 3), config(mlp1, 3)));
        try (LiveModelSource a = shared.get(0); LiveModelSource b = shared.get(1);
             LiveModelSource aloneA = config(RESID_POST_2, 3).open();
             LiveModelSource aloneB = config(mlp1, 3).open()) {
            int d = a.dIn();
            float[] bufA = new float[100 * d];
            float[] bufB = new float[100 * d];
            for (int step = 0; step < 30; step++) { // 3,000 rows: past the first epoch's end
                a.next(bufA, 100);
                b.next(bufB, 100);
                assertArrayEquals(read(aloneA, 100, 100), bufA, 0f, "resid_post step " + step);
                assertArrayEquals(read(aloneB, 100, 100), bufB, 0f, "mlp_out step " + step);
            }
        }
    }

    @Test
    void badLayerContextAndEmptyTextAreBadInput() throws IOException {
        BadInputException layer = assertThrows(BadInputException.class,
                () -> config(new HookPoint(5, HookKind.RESID_POST), 1).open());
        assertTrue(layer.getMessage().contains("has 5 layers (0..4)"), layer.getMessage());
        SourceConfig.Model c = config(RESID_POST_2, 1);
        SourceConfig.Model tooLong = new SourceConfig.Model(c.model(), c.tokenizer(), c.text(), c.textFormat(),
                c.hookPoint(), 513, c.windowPolicy(), false, 200, 300, 1);
        assertThrows(BadInputException.class, tooLong::open);
        Path blank = Files.writeString(dir.resolve("blank.txt"), "\n\n  \n");
        assertThrows(BadInputException.class, () -> c.withText(blank.toString(), 1).open());
    }

    /**
     * Each row of {@code actual} [n, d] is within 1e-4 of a distinct row of {@code expected} [n, d]. Rows may repeat
     * legitimately (two paragraphs opening with the same words have the same prefix activations), so each actual
     * row takes the nearest expected row not taken yet.
     */
    private static void assertOneToOne(float[] expected, float[] actual, int d, String what) {
        int n = expected.length / d;
        assertEquals(n * d, actual.length, what + " row count");
        boolean[] used = new boolean[n];
        for (int r = 0; r < n; r++) {
            int best = -1;
            float bestDiff = Float.MAX_VALUE;
            for (int e = 0; e < n; e++) {
                if (used[e]) {
                    continue;
                }
                float diff = 0;
                for (int c = 0; c < d && diff < bestDiff; c++) {
                    diff = Math.max(diff, Math.abs(actual[r * d + c] - expected[e * d + c]));
                }
                if (diff < bestDiff) {
                    bestDiff = diff;
                    best = e;
                }
            }
            assertTrue(best >= 0 && bestDiff <= 1e-4f, what + ": row " + r + " is " + bestDiff
                    + " from every harvested row not yet matched");
            used[best] = true;
        }
    }
}
