package org.sae4j.activations;

import org.sae4j.formats.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Opens activation files by extension: {@code .h5}/{@code .hdf5}, {@code .npy}, {@code .safetensors}. */
public final class RowFiles {
    private RowFiles() {
    }

    /**
     * Opens {@code path}: a file by its extension, or a directory as the concatenation of every supported file
     * directly inside it, sorted by name (shards {@code part-000.npy}, {@code part-001.npy}, ...).
     *
     * @param name the HDF5 dataset path or safetensors tensor name; null to take the file's only 2-D array.
     *             Ignored for .npy, which holds one array.
     */
    public static RowFile open(Path path, String name) throws IOException {
        if (Files.isDirectory(path)) {
            return openDirectory(path, name);
        }
        if (!Files.exists(path)) {
            throw new BadInputException(path + ": no such file or directory");
        }
        return switch (extension(path)) {
            case "h5", "hdf5" -> Hdf5RowFile.open(path, name);
            case "npy" -> NpyRowFile.open(path);
            case "safetensors" -> SafetensorsRowFile.open(path, name);
            default -> throw new BadInputException(path + ": unknown activation file type '." + extension(path)
                    + "'; expected .h5, .hdf5, .npy or .safetensors");
        };
    }

    private static RowFile openDirectory(Path dir, String name) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(RowFiles::isSupported).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new BadInputException(dir + ": directory holds no .h5, .hdf5, .npy or .safetensors files");
        }
        List<RowFile> opened = new ArrayList<>();
        try {
            for (Path f : files) {
                opened.add(open(f, name));
            }
            return opened.size() == 1 ? opened.get(0) : new ConcatRowFile(opened);
        } catch (IOException | RuntimeException e) {
            for (RowFile f : opened) {
                try {
                    f.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static boolean isSupported(Path p) {
        return List.of("h5", "hdf5", "npy", "safetensors").contains(extension(p));
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
