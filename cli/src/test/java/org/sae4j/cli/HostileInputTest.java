package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sae4j.cli.HostileFiles.cut;
import static org.sae4j.cli.HostileFiles.dict;
import static org.sae4j.cli.HostileFiles.f4;
import static org.sae4j.cli.HostileFiles.hdf5;
import static org.sae4j.cli.HostileFiles.npy;
import static org.sae4j.cli.HostileFiles.raw;
import static org.sae4j.cli.HostileFiles.rows;
import static org.sae4j.cli.HostileFiles.st;
import static org.sae4j.cli.HostileFiles.text;
import static org.sae4j.cli.HostileFiles.write;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sae4j.dictionary.Architecture;
import org.sae4j.dictionary.Sae;
import org.sae4j.dictionary.SaeConfig;
import org.sae4j.dictionary.SaeLensFormat;
import org.sae4j.formats.SafetensorsWriter;

/**
 * A corpus of malformed and lying files, each fed to the real entry point ({@link Main#run}) the way a user would:
 * activation files to {@code train --data}, SAE folders to {@code info} and {@code eval --sae}, settings files to
 * {@code train --config}. Each must give exit code 2 and exactly one line on stderr that says what is wrong (the
 * phrase of the case) and where, with no stack trace; it must not hang (a time limit per case), must not allocate
 * beyond a small budget however large the file claims to be, and must leave no output behind (no run folder, no
 * eval.json, no temp file). The files are built by the cases below, each a few hundred bytes.
 *
 * <p>The model-side files (llama2.c checkpoints, tokenizers, text corpora) have no command here yet; their corpus is
 * activations' {@code ModelFilesHostileTest}, asserting the same one-line errors on the readers.
 */

class HostileInputTest {
    /** Heap a failing command may allocate on its own thread: far below what any lying header claims. */
    private static final long ALLOCATION_BUDGET = 96L << 20;
    private static final Duration TIME_LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    private static Path goodSae;     // d_in 8, d_sae 16, TopK k = 2
    private static Path goodData;    // 256 rows of d_in 8

    /** What to run on a hostile file {@code f}; {@code out} is where a run would write and must stay absent. */
    private enum Command {
        TRAIN_DATA, TRAIN_DATA_DATASET, TRAIN_CONFIG, INFO, EVAL_SAE, EVAL_DATA, EVAL_INTO;

        String[] args(Path f, Path out, String dataset) {
            return switch (this) {
                case TRAIN_DATA -> train("--data", f.toString());
                case TRAIN_DATA_DATASET -> train("--data", f.toString(), "--dataset", dataset);
                case TRAIN_CONFIG -> train("--config", f.toString());
                case INFO -> new String[] {"info", f.toString()};
                case EVAL_SAE -> new String[] {"eval", "--sae", f.toString(), "--data", goodData.toString(),
                        "--tokens", "64", "--out", out.resolve("eval.json").toString()};
                case EVAL_DATA -> new String[] {"eval", "--sae", goodSae.toString(), "--data", f.toString(),
                        "--tokens", "64", "--out", out.resolve("eval.json").toString()};
                case EVAL_INTO -> new String[] {"eval", "--sae", goodSae.toString(), "--data", goodData.toString(),
                        "--tokens", "64", "--out", f.resolve("eval.json").toString()};
            };
        }

        private String[] train(String... what) {
            List<String> a = new ArrayList<>(List.of("train", "--d-sae", "16", "--k", "2", "--batch-size", "64",
                    "--total-tokens", "256", "--init-sample-rows", "64", "--eval-tokens", "64"));
            a.addAll(List.of(what));
            return a.toArray(new String[0]);
        }
    }

    /** Writes the hostile file (or folder) into {@code dir} and returns its path. */
    @FunctionalInterface
    private interface Maker {
        Path make(Path dir) throws IOException;
    }

    private record Case(String name, Command command, String says, Maker maker, String dataset) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, Command command, String says, Maker maker) {
        return new Case(name, command, says, maker, null);
    }

    private static Case h5(String name, String dataset, String says, Maker maker) {
        return new Case(name, Command.TRAIN_DATA_DATASET, says, maker, dataset);
    }

    @BeforeAll
    static void goodFiles() throws IOException {
        goodSae = shared.resolve("good-sae");
        SaeLensFormat.save(Sae.initialize(SaeConfig.of(8, 16, new Architecture.TopK(2)), 1), null, goodSae);
        goodData = shared.resolve("good.safetensors");
        new SafetensorsWriter().put("acts", new long[] {256, 8}, rows(256, 8)).write(goodData);
    }

    static Stream<Case> cases() {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
        return Stream.of(
                // ---- safetensors activations: truncated and lying headers ----
                c("safetensors: empty file", Command.TRAIN_DATA, "too short", d -> raw(d, "a.safetensors")),
                c("safetensors: 3 bytes", Command.TRAIN_DATA, "too short", d -> raw(d, "a.safetensors", 1, 2, 3)),
                c("safetensors: header length 2^64-1", Command.TRAIN_DATA, "absurd",
                        d -> st(d, -1L, "{" + a + "}", 16)),
                c("safetensors: header length past the end", Command.TRAIN_DATA, "runs past the end of the file",
                        d -> st(d, 50_000_000L, "{" + a + "}", 16)),
                c("safetensors: header not JSON", Command.TRAIN_DATA, "not valid JSON",
                        d -> st(d, "{\"a\":{\"dtype\":", 16)),
                c("safetensors: header not UTF-8", Command.TRAIN_DATA, "not valid UTF-8", d -> raw(d,
                        "a.safetensors", 4, 0, 0, 0, 0, 0, 0, 0, '{', 0xff, 0xfe, '}')),
                c("safetensors: header an array", Command.TRAIN_DATA, "does not start with '{'",
                        d -> st(d, "[1,2,3]", 0)),
                c("safetensors: duplicate tensor name", Command.TRAIN_DATA, "Duplicate field",
                        d -> st(d, "{" + a + "," + a + "}", 16)),
                c("safetensors: unknown dtype", Command.TRAIN_DATA, "unknown dtype 'F128'",
                        d -> st(d, "{\"a\":{\"dtype\":\"F128\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16)),
                c("safetensors: offsets past the end", Command.TRAIN_DATA, "past the end of the data",
                        d -> st(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]}}", 16)),
                c("safetensors: a 16 GB tensor in 16 bytes", Command.TRAIN_DATA, "past the end of the data",
                        d -> st(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],"
                                + "\"data_offsets\":[0,17179869184]}}", 16)),
                c("safetensors: overlapping ranges", Command.TRAIN_DATA, "overlap", d -> st(d, "{\"a\":{\"dtype\":"
                        + "\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                        + "\"data_offsets\":[8,24]}}", 24)),
                c("safetensors: shape does not match the bytes", Command.TRAIN_DATA, "span 16 bytes",
                        d -> st(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}", 16)),
                c("safetensors: shape overflows", Command.TRAIN_DATA, "overflows", d -> st(d, "{\"a\":{\"dtype\":"
                        + "\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", 16)),
                c("safetensors: negative dimension", Command.TRAIN_DATA, "non-negative integer",
                        d -> st(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2,-2],\"data_offsets\":[0,16]}}", 16)),
                c("safetensors: bytes that belong to no tensor", Command.TRAIN_DATA, "belong to no tensor",
                        d -> st(d, "{" + a + "}", 24)),
                c("safetensors: cut short mid-data", Command.TRAIN_DATA, "truncated?", d -> cut(
                        write(d, "a.safetensors", w -> w.put("acts", new long[] {64, 8}, rows(64, 8))), 100)),
                c("safetensors: no tensor of 2 or more dimensions", Command.TRAIN_DATA,
                        "holds 0 tensors of two or more dimensions", d -> write(d,
                        "a.safetensors", w -> w.put("v", new long[] {8}, new float[8]))),
                c("safetensors: integer activations", Command.TRAIN_DATA, "is I64",
                        d -> write(d, "a.safetensors", w -> w.putLongs("ids", new long[] {4, 2}, new long[8]))),
                // ---- .npy activations ----
                c("npy: empty file", Command.TRAIN_DATA, "magic", d -> raw(d, "a.npy")),
                c("npy: not NumPy", Command.TRAIN_DATA, "magic", d -> text(d, "a.npy", "a,b,c\n1,2,3\n")),
                c("npy: format version 9", Command.TRAIN_DATA, "format version 9",
                        d -> npy(d, 9, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }", 32)),
                c("npy: header length past the end", Command.TRAIN_DATA, "past the end of the file",
                        d -> cut(npy(d, 1, dict("<f4", 4, 2), 0), 40)),
                c("npy: header not a dict", Command.TRAIN_DATA, "unreadable .npy header",
                        d -> npy(d, 1, "{'descr': '<f4', 'shape': [4, 2]}", 32)),
                c("npy: no shape", Command.TRAIN_DATA, "without string 'descr', bool 'fortran_order' and tuple",
                        d -> npy(d, 1, "{'descr': '<f4', 'fortran_order': False, }", 32)),
                c("npy: 1-D", Command.TRAIN_DATA, "expected [rows, d_in]",
                        d -> npy(d, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", 32)),
                c("npy: 3-D whose row count overflows", Command.TRAIN_DATA, "row count overflows 64 bits",
                        d -> npy(d, 1, "{'descr': '<f4', 'fortran_order': False, "
                                + "'shape': (4294967296, 4294967296, 2), }", 32)),
                c("npy: big-endian", Command.TRAIN_DATA, "big-endian", d -> npy(d, 1, dict(">f4", 4, 2), 32)),
                c("npy: int32", Command.TRAIN_DATA, "dtype '<i4'", d -> npy(d, 1, dict("<i4", 4, 2), 32)),
                c("npy: Fortran order", Command.TRAIN_DATA, "Fortran", d -> npy(d, 1,
                        "{'descr': '<f4', 'fortran_order': True, 'shape': (4, 2), }", 32)),
                c("npy: data cut short", Command.TRAIN_DATA, "truncated", d -> npy(d, 1, dict("<f4", 4, 2), 20)),
                c("npy: lying shape", Command.TRAIN_DATA, "overflows",
                        d -> npy(d, 1, dict("<f4", 1L << 42, 1L << 22), 32)),
                c("npy: zero columns", Command.TRAIN_DATA, "0 columns", d -> npy(d, 1, dict("<f4", 4, 0), 0)),
                c("npy: zero rows", Command.TRAIN_DATA, "holds no rows", d -> npy(d, 1, dict("<f4", 0, 2), 0)),
                c("npy: Infinity in a row", Command.TRAIN_DATA,
                        "row 5 holds Infinity at column 1 (--non-finite-inputs skip drops such rows)", d -> {
                    float[] v = rows(64, 8);
                    v[5 * 8 + 1] = Float.POSITIVE_INFINITY;
                    return npy(d, 1, dict("<f4", 64, 8), f4(v));
                }),
                // ---- HDF5 activations ----
                c("hdf5: not HDF5", Command.TRAIN_DATA, "not a readable HDF5 file",
                        d -> text(d, "a.h5", "this is not an HDF5 file at all, only text")),
                c("hdf5: cut in half", Command.TRAIN_DATA, "(truncated or damaged?)", d -> {
                    Path p = d.resolve("a.h5");
                    try (WritableHdfFile w = HdfFile.write(p)) {
                        w.putDataset("acts", new float[64][8]);
                    }
                    return cut(p, (int) (Files.size(p) / 2));
                }),
                h5("hdf5: rank 1", "/flat", "expected [rows, d_in]",
                        d -> hdf5(d, w -> w.putDataset("flat", new float[8]))),
                h5("hdf5: integer dtype", "/ints", "expected float32",
                        d -> hdf5(d, w -> w.putDataset("ints", new int[4][2]))),
                h5("hdf5: missing dataset", "/resid", "no dataset '/resid'",
                        d -> hdf5(d, w -> w.putDataset("acts", new float[4][2]))),
                c("hdf5: two candidates, none named", Command.TRAIN_DATA, "holds 2 datasets of two or more dimensions",
                        d -> hdf5(d, w -> {
                            w.putDataset("a", new float[4][2]);
                            w.putDataset("b", new float[4][2]);
                        })),
                // ---- folders of activation files ----
                c("folder: shards of different widths", Command.TRAIN_DATA, "equal widths", d -> {
                    Path dir = Files.createDirectories(d.resolve("shards"));
                    write(dir, "part-0.safetensors", w -> w.put("acts", new long[] {4, 8}, rows(4, 8)));
                    write(dir, "part-1.safetensors", w -> w.put("acts", new long[] {4, 6}, rows(4, 6)));
                    return dir;
                }),
                c("folder: no activation files", Command.TRAIN_DATA, "holds no",
                        d -> Files.createDirectories(d.resolve("empty"))),
                c("file: unknown type", Command.TRAIN_DATA, "unknown activation file type '.csv'",
                        d -> text(d, "a.csv", "1,2\n")),
                c("eval: d_in of the data is not the SAE's", Command.EVAL_DATA, "d_in", d -> write(d,
                        "d6.safetensors", w -> w.put("acts", new long[] {64, 6}, rows(64, 6)))),
                // ---- SAE folders: cfg.json ----
                c("cfg.json: not JSON", Command.INFO, "not valid JSON", d -> sae(d, "d_in: 8, d_sae: 16")),
                c("cfg.json: cut short", Command.INFO, "not valid JSON", d -> sae(d, "{\"d_in\": 8, \"d_sae\"")),
                c("cfg.json: not UTF-8", Command.INFO, "not valid JSON", d -> {
                    Path dir = sae(d, "{}");
                    Files.write(dir.resolve("cfg.json"), new byte[] {'{', '"', (byte) 0xc3, '"', ':', '1', '}'});
                    return dir;
                }),
                c("cfg.json: an array", Command.INFO, "expected a JSON object", d -> sae(d, "[8, 16]")),
                c("cfg.json: negative d_in", Command.INFO, "'d_in' must be a positive integer, got -8",
                        d -> sae(d, v6("\"d_in\": -8, \"d_sae\": 16"))),
                c("cfg.json: d_sae a string", Command.INFO, "'d_sae' must be a positive integer",
                        d -> sae(d, v6("\"d_in\": 8, \"d_sae\": \"16\""))),
                c("cfg.json: no d_in", Command.INFO, "'d_in' must be a positive integer (missing)",
                        d -> sae(d, v6("\"d_sae\": 16"))),
                c("cfg.json: unknown architecture", Command.INFO, "architecture 'temporal' is not supported",
                        d -> sae(d, v6("\"architecture\": \"temporal\", \"d_in\": 8, \"d_sae\": 16"))),
                c("cfg.json: topk without k", Command.INFO, "'k' must be a positive integer",
                        d -> sae(d, v6("\"architecture\": \"topk\", \"d_in\": 8, \"d_sae\": 16"))),
                c("cfg.json: duplicate key", Command.INFO, "Duplicate field 'd_in'",
                        d -> sae(d, v6("\"d_in\": 8, \"d_in\": 9, \"d_sae\": 16"))),
                c("cfg.json: unknown dtype", Command.INFO, "unknown dtype 'float128'",
                        d -> sae(d, v6("\"d_in\": 8, \"d_sae\": 16, \"dtype\": \"float128\""))),
                c("cfg.json: version not a number", Command.INFO, "is not a version number",
                        d -> sae(d, "{\"d_in\": 8, \"d_sae\": 16, \"sae_lens_version\": \"latest\"}")),
                c("cfg.json: 2^30 × 2^30 over 0.5 KB of weights", Command.EVAL_SAE, "implies",
                        d -> sae(d, v6("\"architecture\": \"topk\", \"k\": 2, \"d_in\": 1073741824,"
                                + " \"d_sae\": 1073741824"))),
                // ---- SAE folders: weights ----
                c("sae: no cfg.json", Command.INFO, "no cfg.json", d -> {
                    Path dir = sae(d, "{}");
                    Files.delete(dir.resolve("cfg.json"));
                    return dir;
                }),
                c("sae: no weights file", Command.INFO, "neither sae_weights.safetensors", d -> {
                    Path dir = sae(d, v6("\"d_in\": 8, \"d_sae\": 16"));
                    Files.delete(dir.resolve(SaeLensFormat.WEIGHTS));
                    return dir;
                }),
                c("sae: W_enc transposed", Command.EVAL_SAE, "it is the transpose", d -> weights(d, w -> w
                        .put("W_enc", new long[] {16, 8}, new float[128]).put("b_enc", new long[] {16}, new float[16])
                        .put("W_dec", new long[] {16, 8}, new float[128]).put("b_dec", new long[] {8}, new float[8]))),
                c("sae: a tensor it has no place for", Command.INFO, "unexpected tensor 'threshold'",
                        d -> weights(d, w -> w.put("W_enc", new long[] {8, 16}, new float[128])
                                .put("b_enc", new long[] {16}, new float[16])
                                .put("W_dec", new long[] {16, 8}, new float[128])
                                .put("b_dec", new long[] {8}, new float[8])
                                .put("threshold", new long[] {16}, new float[16]))),
                c("sae: weights cut short", Command.EVAL_SAE, "truncated?", d -> {
                    Path dir = d.resolve("sae");
                    Files.createDirectories(dir);
                    Files.copy(goodSae.resolve("cfg.json"), dir.resolve("cfg.json"));
                    Files.write(dir.resolve(SaeLensFormat.WEIGHTS),
                            Arrays.copyOf(Files.readAllBytes(goodSae.resolve(SaeLensFormat.WEIGHTS)), 400));
                    return dir;
                }),
                c("sae: sparsity of the wrong length", Command.INFO, "tensor sparsity has shape [15]", d -> {
                    Path dir = d.resolve("sae");
                    Files.createDirectories(dir);
                    for (String f : List.of("cfg.json", SaeLensFormat.WEIGHTS)) {
                        Files.copy(goodSae.resolve(f), dir.resolve(f));
                    }
                    new SafetensorsWriter().put("sparsity", new long[] {15}, new float[15])
                            .write(dir.resolve(SaeLensFormat.SPARSITY));
                    return dir;
                }),
                c("eval: --out inside a file", Command.EVAL_INTO, "I/O error: ", d -> text(d, "plain", "a file")),
                // ---- settings files ----
                c("settings: not JSON", Command.TRAIN_CONFIG, "not valid JSON", d -> text(d, "run.json", "{train:")),
                c("settings: unknown section", Command.TRAIN_CONFIG, "unknown section 'model'",
                        d -> text(d, "run.json", "{\"model\": {}}")),
                c("settings: unknown setting", Command.TRAIN_CONFIG, "unknown setting 'train.learning_rate'",
                        d -> text(d, "run.json", "{\"train\": {\"learning_rate\": 0.1}}")),
                c("settings: a number that is text", Command.TRAIN_CONFIG, "train.lr: 'fast' is not a number",
                        d -> text(d, "run.json", "{\"train\": {\"lr\": \"fast\"}}")),
                c("settings: unknown NaN policy", Command.TRAIN_CONFIG, "'sometimes' is not allowed (stop, skip)",
                        d -> text(d, "run.json", "{\"train\": {\"non_finite_inputs\": \"sometimes\"}}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineExitTwoNothingLeftBehind(Case hostile, @TempDir Path dir) throws Exception {
        Path file = hostile.maker().make(dir);
        Path out = Files.createDirectories(dir.resolve("out"));
        String[] args = hostile.command().args(file, out, hostile.dataset());
        List<String> withOut = new ArrayList<>(List.of(args));
        if (args[0].equals("train")) {
            withOut.addAll(List.of("--out", out.resolve("run").toString()));
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Cli r = assertTimeoutPreemptively(TIME_LIMIT, () -> {
            long before = threads.getCurrentThreadAllocatedBytes();
            Cli run = Cli.run(withOut.toArray(new String[0]));
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < ALLOCATION_BUDGET, hostile + ": allocated " + (allocated >> 20) + " MiB");
            return run;
        }, hostile + " must not hang");
        assertEquals(Main.BAD_INPUT, r.exit(), hostile + ": exit code\n" + r);
        assertEquals(1, r.err().lines().count(), hostile + ": exactly one line on stderr\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), hostile + ": no stack trace\n" + r);
        assertTrue(r.err().contains(hostile.says()), hostile + ": the line says '" + hostile.says() + "'\n" + r);
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), hostile + ": no output and no temp file left behind");
        }
    }

    /** cfg.json keys of SAELens 6 (so the file is read as 6.x). */
    private static String v6(String keys) {
        return "{" + keys + ", \"metadata\": {\"sae_lens_version\": \"6.0.0\"}}";
    }

    /** An SAE folder with {@code cfg} as cfg.json and the good SAE's weights. */
    private static Path sae(Path d, String cfg) throws IOException {
        Path dir = Files.createDirectories(d.resolve("sae"));
        Files.writeString(dir.resolve("cfg.json"), cfg);
        Files.copy(goodSae.resolve(SaeLensFormat.WEIGHTS), dir.resolve(SaeLensFormat.WEIGHTS));
        return dir;
    }

    /** An SAE folder with the good SAE's cfg.json and the weights {@code fill} writes. */
    private static Path weights(Path d, HostileFiles.Fill fill) throws IOException {
        Path dir = Files.createDirectories(d.resolve("sae"));
        Files.copy(goodSae.resolve("cfg.json"), dir.resolve("cfg.json"));
        fill.fill(new SafetensorsWriter()).write(dir.resolve(SaeLensFormat.WEIGHTS));
        return dir;
    }
}
