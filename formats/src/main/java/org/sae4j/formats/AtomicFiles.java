package org.sae4j.formats;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes that leave either the old file or the complete new one, never a half-written one: a run killed while
 * saving a checkpoint must not destroy the previous checkpoint. The body writes a temp file in the target's own
 * directory (same file system, so the rename can be atomic), which is fsynced and then renamed over the target.
 *
 * <p>Temp names start with a dot and carry {@code .tmp}: {@code .NAME.<random>.tmp} for files and
 * {@code .NAME.tmp-<random>} for folders. A process killed mid-write leaves one behind, never a half-written
 * {@code NAME}; {@link #deleteStale} clears them when the folder's owner starts again.
 *
 * <p>Temps get the permissions any new file of the user's gets (what the umask leaves): the rename carries them onto
 * the output, and {@code Files.createTempFile}'s owner-only 0600 would make a shared run folder unreadable to the
 * rest of a group.
 */
public final class AtomicFiles {
    private static final int BUFFER_BYTES = 1 << 16;

    private AtomicFiles() {
    }

    /** A write step that may fail with an IOException. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    /**
     * Runs {@code body} on a buffered stream into a temp file beside {@code target}, then fsyncs and renames it over
     * {@code target} (ATOMIC_MOVE, or REPLACE_EXISTING where the file system cannot move atomically). On any failure
     * the temp file is deleted and {@code target} is untouched. The body must not close the stream. A failure that
     * names no file (a full disk: "No space left on device") is rethrown as a {@link FileSystemException} naming
     * {@code target}, so the one-line error says which file could not be written.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = createSibling(dir, "." + absolute.getFileName() + ".", ".tmp", false);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                body.accept(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io && !(e instanceof FileSystemException)) {
                FileSystemException named = new FileSystemException(absolute.toString(), null, io.getMessage());
                named.initCause(io);
                throw named;
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /**
     * Builds a whole folder and then publishes it under {@code target} by one rename, so {@code target} either does
     * not exist or is complete: {@code body} fills a temp folder beside {@code target} (same file system), which is
     * then renamed to {@code target}. On any failure the temp folder and everything in it is deleted. The body
     * should write its files with {@link #write} so each is fsynced before the rename.
     *
     * @throws FileAlreadyExistsException if {@code target} exists and is not an empty folder (an empty folder is
     *                                    replaced)
     */
    public static void writeDirectory(Path target, IOConsumer<Path> body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        requireAbsentOrEmpty(absolute);
        Files.createDirectories(parent);
        Path temp = createSibling(parent, "." + absolute.getFileName() + ".tmp-", "", true);
        try {
            body.accept(temp);
            syncDirectory(temp);
            requireAbsentOrEmpty(absolute);
            Files.deleteIfExists(absolute); // only ever an empty folder here
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteTree(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(parent);
    }

    /**
     * Deletes the temp files and folders that writes into {@code dir} left behind when their process was killed
     * (names as in the class comment). Only for a folder this process alone writes, such as a run's output folder,
     * when it starts: a concurrent writer's temp file would be deleted under it.
     *
     * @return how many entries were deleted
     */
    public static int deleteStale(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> stale;
        try (Stream<Path> entries = Files.list(dir)) {
            stale = entries.filter(AtomicFiles::isTemp).toList();
        }
        for (Path p : stale) {
            deleteTree(p);
        }
        return stale.size();
    }

    /**
     * Creates a new empty file (or folder) in {@code dir} named {@code prefix + <random> + suffix}, with the default
     * permissions: unlike {@code Files.createTempFile} and {@code createTempDirectory} (0600 and 0700), it leaves
     * them to the umask, as for any file the user makes.
     */
    public static Path createSibling(Path dir, String prefix, String suffix, boolean folder) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path p = dir.resolve(prefix + random + suffix);
            try {
                return folder ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 16) {
                    throw taken; // 16 collisions of a 64-bit random name: something else is wrong
                }
            }
        }
    }

    /** Whether {@code p} is named as this class names its temp files and folders. */
    public static boolean isTemp(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".") && (n.endsWith(".tmp") || n.contains(".tmp-"));
    }

    private static void requireAbsentOrEmpty(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isEmpty()) {
                    return;
                }
            }
        }
        throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not an empty folder");
    }

    /** Deletes {@code root} and everything under it; nothing if it does not exist. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes a rename in {@code dir} durable; best effort, since not every platform can open a directory. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The file content is already synced; only the directory entry's durability is left to the OS.
        }
    }
}
