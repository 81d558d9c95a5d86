package org.sae4j.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;

/**
 * A run's {@code checkpoints/} folder: {@code step-NNNNNNNNN/} folders, the newest {@value #KEEP} kept.
 *
 * <p>What survives a crash (kill -9, power loss after the fsync) at any moment:
 * <ul>
 *   <li>A checkpoint is written into a hidden temp folder, each file fsynced, and published by one rename
 *       ({@link AtomicFiles#writeDirectory}); a folder named {@code step-*} is always complete.</li>
 *   <li>Older checkpoints are removed only after the new one is published, each by first renaming it to a hidden
 *       temp name, so a removal cut short never leaves a half-deleted {@code step-*} folder.</li>
 *   <li>Temp folders a crash left behind are deleted when the run starts again ({@link #clearStale}).</li>
 * </ul>
 * On resume the newest checkpoint is read and checked ({@link Checkpoint#read}); if it is damaged, it is moved aside
 * to {@code damaged-step-*} with a warning and the one before it is used.
 */
final class Checkpoints {
    static final String DIR = "checkpoints";
    private static final String PREFIX = "step-";
    private static final Pattern NAME = Pattern.compile("step-\\d{9}");
    private static final int KEEP = 2;

    private final Path root;

    Checkpoints(Path runDir) {
        this.root = runDir.resolve(DIR);
    }

    Path root() {
        return root;
    }

    /** The folder name of the checkpoint at {@code step}. */
    static String name(long step) {
        return String.format("%s%09d", PREFIX, step);
    }

    /** Publishes {@code c} as {@code step-NNNNNNNNN/} and then prunes to the newest {@value #KEEP}. */
    Path save(Checkpoint c) throws IOException {
        Files.createDirectories(root);
        Path target = root.resolve(name(c.step()));
        if (Files.exists(target)) {
            discard(target);      // a damaged one already moved aside leaves none; a fresh fit(false) may
        }
        AtomicFiles.writeDirectory(target, c::write);
        List<Path> all = list();
        for (int i = 0; i < all.size() - KEEP; i++) {
            discard(all.get(i));
        }
        return target;
    }

    /** Deletes what a crash left half-written: hidden temp files and folders of {@link AtomicFiles}. */
    void clearStale() throws IOException {
        AtomicFiles.deleteStale(root);
    }

    /** Complete checkpoint folders, oldest first. */
    List<Path> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    /** The newest checkpoint folder, whether or not it would pass {@link Checkpoint#read}. */
    Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The newest checkpoint that reads back intact and fits this run. A damaged one is moved aside to
     * {@code damaged-step-*} and {@code warn}ed about, and the next older one is tried.
     *
     * @return empty if the folder holds no checkpoint at all
     * @throws BadInputException if every checkpoint is damaged (listing why), or the newest intact one was trained
     *                           with another configuration or does not fit the SAE
     */
    Optional<Checkpoint> restore(JsonNode config, Checkpoint.Sizes sizes, long batchSize, Consumer<String> warn)
            throws IOException {
        List<Path> all = new ArrayList<>(list());
        List<String> damage = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            Checkpoint c;
            try {
                c = Checkpoint.read(dir);
            } catch (BadInputException damaged) {
                Path aside = moveAside(dir);
                damage.add(damaged.getMessage());
                warn.accept("warning: checkpoint " + dir.getFileName() + " is damaged (" + damaged.getMessage()
                        + "); moved to " + aside.getFileName() + (i > 0 ? ", resuming from "
                        + all.get(i - 1).getFileName() : ""));
                continue;
            }
            c.requireFits(config, sizes, batchSize, dir);
            return Optional.of(c);
        }
        if (!damage.isEmpty()) {
            throw new BadInputException("no usable checkpoint in " + root + ": " + String.join("; ", damage)
                    + " (start the run again in a new folder)");
        }
        return Optional.empty();
    }

    private Path moveAside(Path dir) throws IOException {
        Path aside = root.resolve("damaged-" + dir.getFileName());
        AtomicFiles.deleteTree(aside);
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }

    /** Removes a checkpoint folder: renamed to a temp name first, so it vanishes whole even if the delete is cut. */
    private void discard(Path dir) throws IOException {
        Path trash = root.resolve("." + dir.getFileName() + ".tmp-discarded");
        AtomicFiles.deleteTree(trash);
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(trash);
    }
}
