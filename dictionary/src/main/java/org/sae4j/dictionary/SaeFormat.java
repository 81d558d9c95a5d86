package org.sae4j.dictionary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;

/**
 * The SAE folder layouts sae4j reads and writes, told apart by the weights file beside {@code cfg.json}:
 * {@code sae_weights.safetensors} for SAELens ({@link SaeLensFormat}), {@code sae.safetensors} for EleutherAI's
 * sparsify ({@link SparsifyFormat}).
 */
public enum SaeFormat {
    SAELENS("saelens", SaeLensFormat.WEIGHTS),
    SPARSIFY("sparsify", SparsifyFormat.WEIGHTS);

    private final String cliName;
    private final String weightsFile;

    SaeFormat(String cliName, String weightsFile) {
        this.cliName = cliName;
        this.weightsFile = weightsFile;
    }

    /** The name on the command line ({@code --from}, {@code --to}) and in messages. */
    public String cliName() {
        return cliName;
    }

    /** The file that holds the weights, beside {@code cfg.json}. */
    public String weightsFile() {
        return weightsFile;
    }

    /** Reads the SAE folder {@code dir} in this format. */
    public LoadedSae read(Path dir) throws IOException {
        return switch (this) {
            case SAELENS -> SaeLensFormat.read(dir);
            case SPARSIFY -> SparsifyFormat.read(dir);
        };
    }

    /**
     * Writes {@code sae} into {@code dir} in this format with weights stored as {@code dtype}.
     *
     * @param logSparsity SAELens's per-latent log10 firing frequency [dSae], or null; sparsify keeps none
     * @return what did not fit the format or had to be rewritten, one line each (empty when nothing)
     */
    public List<String> write(Sae sae, float[] logSparsity, DType dtype, Path dir) throws IOException {
        return switch (this) {
            case SAELENS -> {
                SaeLensFormat.save(sae, logSparsity, dtype, dir);
                yield List.of();
            }
            case SPARSIFY -> {
                List<String> notes = new ArrayList<>(SparsifyFormat.save(sae, dtype, dir));
                if (logSparsity != null) {
                    notes.add("sparsify keeps no firing frequencies; sparsity.safetensors not carried over");
                }
                yield notes;
            }
        };
    }

    /** The format called {@code name} on the command line. */
    public static SaeFormat named(String name) {
        for (SaeFormat f : values()) {
            if (f.cliName.equals(name)) {
                return f;
            }
        }
        throw new BadInputException("unknown SAE format '" + name + "' (saelens or sparsify)");
    }

    /** The format of the SAE folder {@code dir}, from the files it holds. */
    public static SaeFormat detect(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such SAE folder");
        }
        boolean saelens = Files.isRegularFile(dir.resolve(SAELENS.weightsFile));
        boolean sparsify = Files.isRegularFile(dir.resolve(SPARSIFY.weightsFile));
        if (!Files.isRegularFile(dir.resolve(SaeLensFormat.CONFIG))) {
            throw new BadInputException(dir + ": no cfg.json; not an SAE folder");
        }
        if (saelens && sparsify) {
            throw new BadInputException(dir + ": holds both " + SAELENS.weightsFile + " (SAELens) and "
                    + SPARSIFY.weightsFile + " (sparsify); keep one");
        }
        if (!saelens && !sparsify) {
            throw new BadInputException(dir + ": cfg.json but neither " + SAELENS.weightsFile + " (SAELens) nor "
                    + SPARSIFY.weightsFile + " (sparsify) beside it");
        }
        return saelens ? SAELENS : SPARSIFY;
    }

    /**
     * The SAE folder meant by {@code path} and an optional {@code hookpoint}. Tools that train several SAEs at once
     * keep one folder per hookpoint: sparsify's run folder holds {@code layers.6/}, {@code layers.6.mlp/}, …, and
     * SAELens releases hold a folder per hook. With a hookpoint, the folder is {@code path/hookpoint}; without,
     * {@code path} itself, and a path that only holds SAE folders is an error listing them.
     */
    public static Path locate(Path path, String hookpoint) {
        if (!Files.isDirectory(path)) {
            throw new BadInputException(path + ": no such SAE folder");
        }
        List<String> hookpoints = hookpoints(path);
        if (hookpoint != null) {
            Path dir = path.resolve(hookpoint).normalize();
            if (!Files.isDirectory(dir) || !dir.startsWith(path.normalize()) || dir.equals(path.normalize())) {
                throw new BadInputException(path + ": no hookpoint folder '" + hookpoint + "'"
                        + (hookpoints.isEmpty() ? "" : "; it holds " + String.join(", ", hookpoints)));
            }
            return dir;
        }
        if (!Files.exists(path.resolve(SaeLensFormat.CONFIG)) && !hookpoints.isEmpty()) {
            throw new BadInputException(path + " holds SAEs for " + hookpoints.size() + " hookpoints ("
                    + String.join(", ", hookpoints) + "); choose one with --hookpoint NAME or give "
                    + path.resolve(hookpoints.get(0)));
        }
        return path;
    }

    /** Locates ({@link #locate}), detects and reads an SAE folder. */
    public static LoadedSae load(Path path, String hookpoint) throws IOException {
        Path dir = locate(path, hookpoint);
        return detect(dir).read(dir);
    }

    /** Names of the subfolders of {@code path} that hold an SAE (a cfg.json and a known weights file), sorted. */
    private static List<String> hookpoints(Path path) {
        try (Stream<Path> children = Files.list(path)) {
            return children.filter(Files::isDirectory)
                    .filter(d -> Files.isRegularFile(d.resolve(SaeLensFormat.CONFIG)))
                    .filter(d -> Files.isRegularFile(d.resolve(SAELENS.weightsFile))
                            || Files.isRegularFile(d.resolve(SPARSIFY.weightsFile)))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot list: " + e.getMessage(), e);
        }
    }
}
