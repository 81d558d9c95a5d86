package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.dictionary.kernels.FloatOps;
import org.sae4j.formats.Json;

/**
 * {@code kill -9} at any moment loses nothing since the last checkpoint, and SIGTERM or SIGINT not even the step in
 * progress. A real {@code sae4j train} in a child JVM is killed with SIGKILL ({@link Process#destroyForcibly}) at
 * seeded-random moments — during start-up, mid-training, twice in the middle of
 * writing a checkpoint (the child stalls between the checkpoint's two files when asked by a test-only property, so
 * the kill lands there for certain), and after training while the final files are written — and restarted with
 * {@code --resume} each time, as a user would. The finished run must be bitwise the run never interrupted:
 * sae_weights.safetensors, sparsity.safetensors and cfg.json byte for byte, and metrics.jsonl line for line except
 * the wall-clock throughput. No restart may hang, report a damaged checkpoint or leave temp files behind.
 */
class KillResumeTest {
    private static final long SEED = 20240611;
    /** A start that takes longer than this is a hang. */
    private static final long CHILD_TIMEOUT_SECONDS = 120;
    private static final int TOTAL_STEPS = 100;
    private static final Pattern PROGRESS = progressOf(TOTAL_STEPS);
    private static final String[] RUN = {"train", "--d-in", "32", "--n-features", "96", "--mean-active", "3",
            "--expansion-factor", "4", "--k", "4", "--batch-size", "128", "--total-tokens",
            String.valueOf(128 * TOTAL_STEPS), "--init-sample-rows", "1024", "--lr-warmup-steps", "5",
            "--checkpoint-every-steps", "4", "--log-every-steps", "5", "--dead-tokens-threshold", "2000",
            "--eval-tokens", "2000"};

    @TempDir
    Path tmp;

    /** When to pull the plug on one start of the child. */
    private sealed interface Kill {
        /** This long after the child started. */
        record AfterMillis(long millis) implements Kill {
        }

        /** Once the progress line of step {@code step} or later has been printed. */
        record AfterStep(int step) implements Kill {
        }

        /** While a checkpoint folder is half-written (its tensors file there, its state.json not yet). */
        record MidCheckpoint() implements Kill {
        }

        /** After training, while the SAE, evaluation and README are being written. */
        record AfterTraining() implements Kill {
        }
    }

    @Test
    void killedAtRandomMomentsAndResumedEndsBitwiseIdentical() throws Exception {
        Path reference = tmp.resolve("reference");
        Cli whole = Cli.run(args(reference, false));
        assertEquals(Main.OK, whole.exit(), whole.toString());

        SplittableRandom random = new SplittableRandom(SEED);
        List<Kill> plan = List.of(
                new Kill.AfterMillis(300 + random.nextInt(900)),
                new Kill.AfterStep(5 + random.nextInt(30)),
                new Kill.MidCheckpoint(),
                new Kill.AfterStep(40 + random.nextInt(25)),
                new Kill.MidCheckpoint(),
                new Kill.AfterStep(70 + random.nextInt(25)),
                new Kill.AfterTraining());
        Path run = tmp.resolve("killed");
        List<String> happened = new ArrayList<>();
        int midWrite = 0;
        boolean done = false;
        for (int attempt = 0; attempt <= plan.size() && !done; attempt++) {
            Kill kill = attempt < plan.size() ? plan.get(attempt) : null;
            Path log = tmp.resolve("attempt-" + attempt + ".log");
            boolean resume = Files.exists(run.resolve("run.json"));
            Process child = start(args(run, resume), log, kill instanceof Kill.MidCheckpoint);
            boolean killed = kill != null && awaitThenKill(child, kill, run, log);
            if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                fail("attempt " + attempt + " hung\n" + Files.readString(log));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(out.contains("damaged"), "kill -9 never damages a checkpoint\n" + out);
            if (killed) {
                happened.add(kill + " (checkpoints then: " + checkpointNames(run) + ")");
                midWrite += kill instanceof Kill.MidCheckpoint ? 1 : 0;
            } else {
                assertEquals(0, child.exitValue(), "attempt " + attempt + " (" + kill + ") finished\n" + out);
                done = true;
            }
        }
        System.out.println("KillResumeTest: killed " + String.join("; ", happened));
        assertTrue(done, "the run finished after its kills: " + happened);
        assertTrue(happened.size() >= 5, "at least five kills landed: " + happened);
        assertEquals(2, midWrite, "both mid-checkpoint kills landed: " + happened);

        for (String f : List.of("sae_weights.safetensors", "sparsity.safetensors", "cfg.json")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(run.resolve(f)),
                    f + " after kills " + happened);
        }
        List<JsonNode> expected = metricsWithoutThroughput(reference);
        assertEquals(TOTAL_STEPS / 5, expected.size(), "a metrics line every 5 steps");
        assertEquals(expected, metricsWithoutThroughput(run), "metrics.jsonl after kills " + happened);
        try (Stream<Path> all = Files.walk(run)) {
            List<Path> temps = all.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), temps, "no temp files left behind");
        }
    }

    /**
     * SIGTERM (what {@link Process#destroy} sends, and a cluster scheduler before it kills a job) and SIGINT (Ctrl-C)
     * stop the run after the step in progress, with a checkpoint of that step although none was due (the interval
     * here is longer than the run), and exit 143 and 130; resumed, the run ends bitwise identical to one never
     * stopped.
     */
    @Test
    void stoppedBySignalsCheckpointsTheStepInProgressAndResumesBitwiseIdentical() throws Exception {
        int total = 400;
        String[] longRun = longer(total);
        Path reference = tmp.resolve("reference");
        Cli whole = Cli.run(withOut(longRun, reference, false));
        assertEquals(Main.OK, whole.exit(), whole.toString());

        Path run = tmp.resolve("stopped");
        Pattern stopped = Pattern.compile("stopped at step (\\d+) of " + total);
        Pattern progress = progressOf(total);
        long previous = 0;
        for (String signal : List.of("TERM", "INT")) {
            Path log = tmp.resolve("sig" + signal + ".log");
            Process child = start(withOut(longRun, run, previous > 0), log, false);
            long waitFor = previous + 40;
            while (child.isAlive() && lastStep(log, progress) < waitFor) {
                Thread.sleep(1);
            }
            assertTrue(child.isAlive(), "the child was still training at step " + waitFor + "\n" + Files.readString(log));
            new ProcessBuilder("kill", "-" + signal, String.valueOf(child.pid())).start().waitFor();
            assertTrue(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS), "stopping hung\n" + Files.readString(log));
            String out = Files.readString(log);
            assertEquals(signal.equals("TERM") ? 143 : 130, child.exitValue(), "exit status on SIG" + signal + "\n" + out);
            Matcher m = stopped.matcher(out);
            assertTrue(m.find(), "one line says where it stopped\n" + out);
            long at = Long.parseLong(m.group(1));
            assertTrue(at >= waitFor && at < total, "stopped at " + at + ", after step " + waitFor);
            assertTrue(checkpointNames(run).contains(String.format("step-%09d", at)),
                    "the step in progress was checkpointed: " + checkpointNames(run));
            previous = at;
        }
        Cli rest = Cli.run(withOut(longRun, run, true));
        assertEquals(Main.OK, rest.exit(), rest.toString());
        for (String f : List.of("sae_weights.safetensors", "sparsity.safetensors", "cfg.json")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(run.resolve(f)), f);
        }
        assertEquals(metricsWithoutThroughput(reference), metricsWithoutThroughput(run), "metrics.jsonl");
    }

    /**
     * A live run on the real model that trains one SAE per hook point from one model pass: SIGTERM stops every SAE
     * after its step in progress, each checkpoints that step and says so (the second led by its hook point), and
     * the resumed run ends with every SAE bitwise the uninterrupted run's. The SAEs may stop a step apart; each
     * resumes from its own checkpoint.
     */
    @Test
    void aLiveRunOfTwoHookPointsStoppedBySigtermResumesEverySaeBitwiseIdentical() throws Exception {
        int total = 400;
        Path text = SharedData.smallText(tmp, 200);
        String[] live = {"train", "--model", SharedData.file("stories260K.bin"), "--tokenizer",
                SharedData.file("tok512.bin"), "--text", text.toString(), "--layer", "1,2", "--hook", "resid_post",
                "--context-size", "128", "--d-sae", "128", "--k", "4", "--total-tokens", String.valueOf(250 * total),
                "--batch-size", "250", "--lr-warmup-steps", "1", "--init-sample-rows", "1000",
                "--shuffle-buffer-rows", "2000", "--eval-tokens", "500", "--checkpoint-every-steps", "1000"};
        List<String> hooks = List.of("blocks.1.hook_resid_post", "blocks.2.hook_resid_post");
        Path reference = tmp.resolve("reference");
        Cli whole = Cli.run(withOut(live, reference, false));
        assertEquals(Main.OK, whole.exit(), whole.toString());

        Path run = tmp.resolve("stopped");
        Path log = tmp.resolve("live.log");
        Process child = start(withOut(live, run, false), log, false);
        Pattern progress = progressOf(total);
        while (child.isAlive() && lastStep(log, progress) < 100) {
            Thread.sleep(1);
        }
        assertTrue(child.isAlive(), "the child was still training at step 100\n" + Files.readString(log));
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS), "stopping hung\n" + Files.readString(log));
        String out = Files.readString(log);
        assertEquals(143, child.exitValue(), "exit status on SIGTERM\n" + out);
        for (String hook : hooks) {
            String lead = hook.equals(hooks.get(0)) ? "" : hook + ": ";
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(lead) + "stopped at step (\\d+) of " + total)
                    .matcher(out);
            assertTrue(m.find(), "a line says where " + hook + " stopped\n" + out);
            long at = Long.parseLong(m.group(1));
            assertTrue(at >= 100 && at < total, hook + " stopped at " + at + ", after step 100");
            assertTrue(checkpointNames(run.resolve(hook)).contains(String.format("step-%09d", at)),
                    hook + "'s step in progress was checkpointed: " + checkpointNames(run.resolve(hook)));
        }

        Cli rest = Cli.run(withOut(live, run, true));
        assertEquals(Main.OK, rest.exit(), rest.toString());
        for (String hook : hooks) {
            for (String f : List.of("sae_weights.safetensors", "sparsity.safetensors", "cfg.json")) {
                assertArrayEquals(Files.readAllBytes(reference.resolve(hook).resolve(f)),
                        Files.readAllBytes(run.resolve(hook).resolve(f)), hook + "/" + f);
            }
        }
    }

    /** {@link #RUN} over {@code steps} steps, with no checkpoint due before the end. */
    private static String[] longer(int steps) {
        List<String> a = new ArrayList<>(List.of(RUN));
        a.set(a.indexOf("--total-tokens") + 1, String.valueOf(128 * steps));
        a.set(a.indexOf("--checkpoint-every-steps") + 1, String.valueOf(10 * steps));
        return a.toArray(new String[0]);
    }

    private static String[] withOut(String[] run, Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of(run));
        a.add("--out");
        a.add(out.toString());
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(new String[0]);
    }

    /** The child's progress lines, "step N/total". */
    private static Pattern progressOf(int total) {
        return Pattern.compile("step (\\d+)/" + total);
    }

    private static int lastStep(Path log, Pattern progress) throws IOException {
        Matcher m = progress.matcher(Files.readString(log));
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static String[] args(Path out, boolean resume) {
        return withOut(RUN, out, resume);
    }

    private static Process start(String[] args, Path log, boolean pauseInCheckpoints) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path")));
        // The child must run the same kernel bodies as the reference run in this JVM: the SIMD and scalar bodies
        // sum in different orders, so a run resumed on the other kind differs in the last bits (as it would for a
        // user who resumed under different JVM flags; ./sae4j always passes the same ones).
        command.addAll(FloatOps.SIMD ? List.of("--add-modules", "jdk.incubator.vector") : List.of("-Dsae4j.simd=false"));
        if (pauseInCheckpoints) {
            command.add("-Dsae4j.test.checkpointPauseMillis=400");
        }
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for the moment {@code kill} names and SIGKILLs the child then; false if it exited first. */
    private static boolean awaitThenKill(Process child, Kill kill, Path run, Path log) throws Exception {
        long start = System.nanoTime();
        while (child.isAlive()) {
            boolean now;
            if (kill instanceof Kill.AfterMillis k) {
                now = (System.nanoTime() - start) / 1_000_000 >= k.millis();
            } else if (kill instanceof Kill.AfterStep k) {
                now = lastStep(log) >= k.step();
            } else if (kill instanceof Kill.MidCheckpoint) {
                now = halfWrittenCheckpoint(run);
            } else {
                now = Files.readString(log).contains("SAE written to");
            }
            if (now) {
                child.destroyForcibly();
                child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return true;
            }
            if ((System.nanoTime() - start) / 1e9 > CHILD_TIMEOUT_SECONDS) {
                return false;
            }
            Thread.sleep(kill instanceof Kill.MidCheckpoint ? 5 : 1);
        }
        return false;
    }

    private static int lastStep(Path log) throws IOException {
        return lastStep(log, PROGRESS);
    }

    private static boolean halfWrittenCheckpoint(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith(".step-")
                    && Files.isRegularFile(p.resolve("state.safetensors"))
                    && !Files.exists(p.resolve("state.json")));
        }
    }

    private static List<String> checkpointNames(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<JsonNode> metricsWithoutThroughput(Path run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(line);
            node.remove("tokens_per_second");
            lines.add(node);
        }
        return lines;
    }
}
