package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sae4j} launcher script's plumbing, with a stand-in jar ({@link LauncherChild}, through
 * {@code SAE4J_JAR}): Java's incubator notice is dropped from stderr and nothing else is; the launcher returns only
 * once java's last stderr line is out; java's exit status is the launcher's; and SIGTERM sent to the launcher alone
 * reaches java, whose shutdown hooks run (where training checkpoints) before the launcher exits 143.
 */
class LauncherTest {
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path tmp;

    @Test
    void stderrLosesOnlyTheIncubatorNoticeAndIsCompleteWhenTheLauncherReturns() throws Exception {
        Path err = tmp.resolve("err.txt");
        Process p = launch("fail", err);
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the launcher returned");
        assertEquals(2, p.exitValue(), "java's exit status, passed on");
        assertEquals("first line\nlast line\n", Files.readString(err), "stderr as the launcher left it");
    }

    @Test
    void sigtermToTheLauncherAloneRunsJavasShutdownHooksAndExits143() throws Exception {
        Path err = tmp.resolve("err.txt");
        Process p = launch("wait", err);
        byte[] ready = p.getInputStream().readNBytes("ready\n".length());
        assertEquals("ready\n", new String(ready), "java started; stderr so far: " + Files.readString(err));
        p.destroy(); // SIGTERM to the launcher's process only, not its group
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the launcher returned");
        assertEquals(143, p.exitValue(), "exit status after SIGTERM");
        assertEquals("stopped by a signal\n", Files.readString(err), "java's hook ran and its line is out");
    }

    /** The launcher on a jar of {@link LauncherChild}, stderr to {@code err}. */
    private Process launch(String mode, Path err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", launcher().toString(), mode)
                .redirectError(err.toFile());
        pb.environment().put("SAE4J_JAR", childJar().toString());
        pb.environment().put("SAE4J_HEAP", "64m");
        return pb.start();
    }

    private static Path launcher() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("sae4j")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d.resolve("sae4j");
            }
        }
        throw new IllegalStateException("no sae4j launcher above " + System.getProperty("user.dir"));
    }

    /** A jar holding LauncherChild alone, run by its manifest's Main-Class. */
    private Path childJar() throws IOException {
        Path jar = tmp.resolve("child.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherChild.class.getName());
        String entry = LauncherChild.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
             InputStream in = LauncherChild.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
        return jar;
    }
}
