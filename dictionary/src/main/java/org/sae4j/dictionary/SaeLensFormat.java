package org.sae4j.dictionary;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;
import org.sae4j.formats.TensorInfo;

/**
 * The SAELens folder format, sae4j's native output, written as SAELens 6 writes it so {@code SAE.load_from_disk},
 * Neuronpedia and Python's safetensors open it as is: {@code cfg.json} (d_in, d_sae, dtype, device,
 * apply_b_dec_to_input, normalize_activations, reshape_activations, architecture, k for topk, metadata),
 * {@code sae_weights.safetensors} (the tensors of {@link SaeParams#layout}: W_enc [d_in, d_sae], b_enc [d_sae],
 * W_dec [d_sae, d_in], b_dec [d_in]; gated has b_gate, r_mag, b_mag [d_sae] in place of b_enc) and
 * {@code sparsity.safetensors} (sparsity [d_sae] = log10 of each latent's firing frequency). Reading also takes the {@code cfg.json} of SAELens before 6.0 ({@link SaeLensConfig}).
 */
public final class SaeLensFormat {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae_weights.safetensors";
    public static final String SPARSITY = "sparsity.safetensors";
    /** SAELens adds this before log10 so a latent that never fired gets −10, not −∞. */
    public static final double SPARSITY_EPS = 1e-10;
    /**
     * The {@code metadata.sae_lens_version} written: the cfg.json layout followed. SAELens reads a folder without a
     * version ≥ 6 as pre-6.0 and then drops its metadata, so the version is the layout's, not a SAELens install's.
     */
    public static final String LAYOUT_VERSION = "6.0.0";
    /** Pre-6.0 names of the per-latent scale that multiplied the latents before decoding. */
    private static final List<String> SCALING_FACTOR_NAMES = List.of("scaling_factor", "finetuning_scaling_factor");

    private SaeLensFormat() {
    }

    /**
     * Writes the folder with float32 weights; each file atomically, cfg.json last, so a folder with a cfg.json is
     * complete.
     *
     * @param firingFrequency per latent, the fraction of tokens it fired on ([dSae]), or null to skip sparsity
     */
    public static void save(Sae sae, double[] firingFrequency, Path dir) throws IOException {
        save(sae, firingFrequency == null ? null : logSparsity(firingFrequency), DType.F32, dir);
    }

    /**
     * Writes the folder with weights stored as {@code dtype} (F32, F16 or BF16; narrowing rounds to nearest even),
     * recorded as cfg.json's {@code dtype}; each file atomically, cfg.json last.
     *
     * @param logSparsity log10 firing frequency per latent ([dSae]), written as float32, or null to skip it
     */
    public static void save(Sae sae, float[] logSparsity, DType dtype, Path dir) throws IOException {
        SaeConfig c = sae.config();
        Files.createDirectories(dir);
        SafetensorsWriter weights = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        Map<String, float[]> tensors = sae.tensors();
        for (SaeParams.TensorSpec spec : SaeParams.layout(c)) {
            weights.put(spec.name(), dtype, spec.shape(), tensors.get(spec.name()));
        }
        weights.write(dir.resolve(WEIGHTS));
        if (logSparsity != null) {
            if (logSparsity.length != c.dSae()) {
                throw new IllegalArgumentException("sparsity has " + logSparsity.length + " values for d_sae "
                        + c.dSae());
            }
            new SafetensorsWriter()
                    .metadata(Map.of("format", "pt"))
                    .put("sparsity", new long[] {c.dSae()}, logSparsity)
                    .write(dir.resolve(SPARSITY));
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.mapper().writeValueAsString(configJson(c, dtype)) + "\n");
    }

    /** log10(frequency + {@link #SPARSITY_EPS}) per latent, as SAELens stores it. */
    public static float[] logSparsity(double[] firingFrequency) {
        float[] logFreq = new float[firingFrequency.length];
        for (int j = 0; j < logFreq.length; j++) {
            logFreq[j] = (float) Math.log10(firingFrequency[j] + SPARSITY_EPS);
        }
        return logFreq;
    }

    /**
     * The firing frequency per latent back from {@link #logSparsity}: a value at the {@link #SPARSITY_EPS} floor
     * (within float rounding) is a latent that never fired, 0.
     */
    public static double[] firingFrequency(float[] logSparsity) {
        double floor = Math.log10(SPARSITY_EPS) + 1e-3;
        double[] freq = new double[logSparsity.length];
        for (int j = 0; j < freq.length; j++) {
            freq[j] = logSparsity[j] <= floor ? 0 : Math.pow(10, logSparsity[j]);
        }
        return freq;
    }

    /** The cfg.json object for {@code c} with float32 weights. */
    public static ObjectNode configJson(SaeConfig c) {
        return configJson(c, DType.F32);
    }

    /** The cfg.json object for {@code c} with weights stored as {@code dtype}. */
    public static ObjectNode configJson(SaeConfig c, DType dtype) {
        ObjectNode cfg = Json.mapper().createObjectNode();
        cfg.put("architecture", c.architecture().saelensName());
        cfg.put("d_in", c.dIn());
        cfg.put("d_sae", c.dSae());
        cfg.put("dtype", dtype.torchName());
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", c.applyBDecToInput());
        cfg.put("normalize_activations", c.normalizeActivations());
        cfg.put("reshape_activations", "none");
        if (c.architecture() instanceof Architecture.TopK topK) {
            cfg.put("k", topK.k());
            cfg.put("rescale_acts_by_decoder_norm", false);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("sae_lens_version", LAYOUT_VERSION);
        c.metadata().forEach((k, v) -> {
            if (!k.equals("sae_lens_version")) {
                metadata.put(k, v);
            }
        });
        cfg.set("metadata", Json.mapper().valueToTree(metadata));
        return cfg;
    }

    /** Reads a SAELens folder of any version, checking every tensor's presence and shape against cfg.json. */
    public static Sae load(Path dir) throws IOException {
        return read(dir).sae();
    }

    /**
     * Reads a SAELens folder of any version: cfg.json (pre-6.0 keys mapped), the weights (F32, F16, BF16 or F64,
     * read as float32) and sparsity.safetensors if present. Scales that SAELens applies at run time are folded into
     * the weights, so the SAE encodes to the same latents SAELens computes: {@code rescale_acts_by_decoder_norm}
     * (W_enc[:, j]·n_j, b_enc[j]·n_j, W_dec[j]/n_j with n_j = ‖W_dec[j]‖, as SAELens's own {@code fold_W_dec_norm})
     * and a pre-6.0 finetuning {@code scaling_factor} s (W_dec[j]·s_j).
     */
    public static LoadedSae read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such SAE folder");
        }
        SaeLensConfig cfg = SaeLensConfig.read(dir.resolve(CONFIG));
        SaeConfig config = cfg.config();
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(dir + ": no " + WEIGHTS + " beside cfg.json");
        }
        List<String> notes = new ArrayList<>();
        if (cfg.legacy()) {
            notes.add("cfg.json has SAELens keys from before 6.0; read as their 6.0 equivalents");
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        List<TensorInfo> stored;
        List<TensorInfo> weightInfos = new ArrayList<>();
        float[] scaling = null;
        try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
            stored = reader.tensors();
            List<SaeParams.TensorSpec> layout = SaeParams.layout(config);
            Set<String> allowed = new HashSet<>();
            layout.forEach(s -> allowed.add(s.name()));
            if (cfg.legacy()) {
                allowed.addAll(SCALING_FACTOR_NAMES);
            }
            WeightsFile.requireOnly(reader, allowed, "a SAELens '" + config.architecture().saelensName() + "' SAE");
            for (SaeParams.TensorSpec spec : layout) {
                tensors.put(spec.name(), WeightsFile.read(reader, spec.name(), spec.shape(), "cfg.json"));
                weightInfos.add(reader.tensor(spec.name()));
            }
            for (String name : SCALING_FACTOR_NAMES) {
                if (allowed.contains(name) && stored.stream().anyMatch(t -> t.name().equals(name))) {
                    scaling = WeightsFile.read(reader, name, new long[] {config.dSae()}, "cfg.json");
                }
            }
        }
        if (scaling != null) {
            foldFinetuningScale(scaling, cfg.finetuningScalingFactor(), tensors, config, weights, notes);
        }
        if (cfg.rescaleActsByDecoderNorm()) {
            foldDecoderNorms(tensors, config);
            notes.add("rescale_acts_by_decoder_norm folded into the weights: W_enc and b_enc scaled by the decoder"
                    + " row norms, W_dec rows normalised");
        }
        Sae sae = Sae.fromTensors(config, tensors);
        return new LoadedSae(sae, SaeFormat.SAELENS, dir, LoadedSae.commonDType(weightInfos), stored,
                loadSparsity(dir, config.dSae()), notes);
    }

    /** log10 firing frequencies from sparsity.safetensors, or null when the folder has none. */
    public static float[] loadSparsity(Path dir, int dSae) throws IOException {
        Path file = dir.resolve(SPARSITY);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return WeightsFile.read(reader, "sparsity", new long[] {dSae}, "cfg.json's d_sae");
        }
    }

    /**
     * SAELens before 6.0 decoded {@code (f ⊙ s)·W_dec}; the same as decoding f through W_dec with row j scaled by
     * s_j. A scale of all ones is dropped, as SAELens drops it.
     */
    private static void foldFinetuningScale(float[] s, boolean enabled, Map<String, float[]> tensors,
            SaeConfig config, Path file, List<String> notes) {
        boolean ones = true;
        for (float v : s) {
            ones &= v == 1f;
        }
        if (ones) {
            return;
        }
        if (!enabled) {
            throw new BadInputException(file + ": holds a scaling_factor other than ones but cfg.json's"
                    + " finetuning_scaling_factor is false (SAELens refuses this file too)");
        }
        float[] wDec = tensors.get("W_dec"); // [dSae, dIn]
        int dIn = config.dIn();
        for (int j = 0; j < config.dSae(); j++) {
            for (int d = 0; d < dIn; d++) {
                wDec[j * dIn + d] *= s[j];
            }
        }
        notes.add("finetuning scaling_factor folded into the W_dec rows");
    }

    /** W_enc[:, j] and b_enc[j] times n_j = ‖W_dec[j]‖, W_dec[j] divided by n_j (rows of norm 0 stay 0). */
    private static void foldDecoderNorms(Map<String, float[]> tensors, SaeConfig config) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        float[] wEnc = tensors.get("W_enc"); // [dIn, dSae]
        float[] bEnc = tensors.get("b_enc"); // [dSae]
        float[] wDec = tensors.get("W_dec"); // [dSae, dIn]
        for (int j = 0; j < dSae; j++) {
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                sq += (double) wDec[j * dIn + d] * wDec[j * dIn + d];
            }
            float n = (float) Math.sqrt(sq);
            for (int d = 0; d < dIn; d++) {
                wEnc[d * dSae + j] *= n;
                wDec[j * dIn + d] = n == 0f ? 0f : wDec[j * dIn + d] / n;
            }
            bEnc[j] *= n;
        }
    }
}
