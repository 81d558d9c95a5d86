package org.sae4j.formats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemp() throws IOException {
        Path target = dir.resolve("cfg.json");
        AtomicFiles.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half-writ".getBytes());
            throw new IOException("No space left on device");
        }));
        assertEquals(target.toAbsolutePath() + ": No space left on device", e.getMessage(),
                "a failure that names no file is said to be about the target");
        assertEquals("old", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temp file must be deleted");
        }
    }

    @Test
    void staleTempsOfAKilledWriterAreClearedAndNothingElse() throws IOException {
        AtomicFiles.writeString(dir.resolve("keep.json"), "{}");
        Files.writeString(dir.resolve(".keep.json.123.tmp"), "half");        // a file write cut short
        Files.createDirectories(dir.resolve(".step-000000010.tmp-456/sub"));  // a folder write cut short
        Files.writeString(dir.resolve(".hidden"), "not ours");
        Files.writeString(dir.resolve("notes.tmp"), "not ours either");
        assertEquals(2, AtomicFiles.deleteStale(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.Set.of("keep.json", ".hidden", "notes.tmp"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void outputsGetTheUsersDefaultPermissionsNotATempFilesOwnerOnlyOnes() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        // What any new file or folder of this user gets here (mode & ~umask), made the plain way.
        var plainFile = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain.txt")));
        var plainFolder = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain")));
        AtomicFiles.writeString(dir.resolve("cfg.json"), "{}");
        AtomicFiles.writeDirectory(dir.resolve("sae"), tmp -> AtomicFiles.writeString(tmp.resolve("a.json"), "{}"));
        assertEquals(plainFile, Files.getPosixFilePermissions(dir.resolve("cfg.json")), "file written atomically");
        assertEquals(plainFolder, Files.getPosixFilePermissions(dir.resolve("sae")), "folder published atomically");
        assertEquals(plainFile, Files.getPosixFilePermissions(dir.resolve("sae/a.json")), "file in that folder");
    }

    @Test
    void writeReplacesAndCreatesDirectories() throws IOException {
        Path target = dir.resolve("run/ckpt/cfg.json");
        AtomicFiles.writeString(target, "one");
        AtomicFiles.writeString(target, "two");
        assertEquals("two", Files.readString(target));
    }

    @Test
    void writeDirectoryPublishesTheWholeFolderAtOnce() throws IOException {
        Path target = dir.resolve("out/sae");
        AtomicFiles.writeDirectory(target, tmp -> {
            assertTrue(!Files.exists(target), "the target must not appear before the body is done");
            AtomicFiles.writeString(tmp.resolve("cfg.json"), "{}");
            AtomicFiles.writeString(tmp.resolve("weights"), "w");
        });
        assertEquals("{}", Files.readString(target.resolve("cfg.json")));
        assertEquals("w", Files.readString(target.resolve("weights")));
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertEquals(1, files.count(), "only the published folder is left beside it");
        }
    }

    @Test
    void failedWriteDirectoryLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("sae");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeDirectory(target, tmp -> {
            AtomicFiles.writeString(tmp.resolve("cfg.json"), "{}");
            Files.createDirectories(tmp.resolve("nested"));
            AtomicFiles.writeString(tmp.resolve("nested/half"), "x");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "neither the target nor the temp folder may remain");
        }
    }

    @Test
    void writeDirectoryReplacesOnlyAnEmptyFolder() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        AtomicFiles.writeDirectory(empty, tmp -> AtomicFiles.writeString(tmp.resolve("a"), "1"));
        assertEquals("1", Files.readString(empty.resolve("a")));
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> AtomicFiles.writeDirectory(empty, tmp -> AtomicFiles.writeString(tmp.resolve("b"), "2")));
        assertEquals("1", Files.readString(empty.resolve("a")), "a non-empty folder is never touched");
        assertTrue(!Files.exists(empty.resolve("b")));
    }

    @Test
    void jsonReadTreeGivesOneLineBadInput() throws IOException {
        Path f = dir.resolve("broken.json");
        Files.writeString(f, "{\n  \"a\": 1,\n  \"b\": \n}");
        BadInputException e = assertThrows(BadInputException.class, () -> Json.readTree(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON: ") && !e.getMessage().contains("\n"),
                e.getMessage());
        assertTrue(Json.readTree(writeOk()).get("a").asInt() == 1);
        BadInputException missing = assertThrows(BadInputException.class, () -> Json.readTree(dir.resolve("x.json")));
        assertTrue(missing.getMessage().endsWith("x.json: no such file"), missing.getMessage());
    }

    private Path writeOk() throws IOException {
        Path f = dir.resolve("ok.json");
        Json.write(f, java.util.Map.of("a", 1));
        return f;
    }
}
