package org.sae4j.dictionary;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sae4j.dictionary.kernels.Nio;
import org.sae4j.dictionary.kernels.RowOps;

/**
 * A sparse autoencoder: its config and parameters.
 * {@code f = act(W_enc·(x − b_dec) + b_enc)}, {@code x̂ = W_dec·f + b_dec} (with row vectors:
 * {@code f = act((x − b_dec)·W_enc + b_enc)}, {@code x̂ = f·W_dec + b_dec}). Forward and backward passes run in a
 * {@link SaeWorkspace}; this class owns the tensors and the operations on them alone.
 */
public final class Sae {
    /** SAELens {@code decoder_init_norm} for standard SAEs: decoder rows start short so L1 does not dominate. */
    static final double STANDARD_DECODER_INIT_NORM = 0.1;
    /** The norm of JumpReLU's initial encoder columns (its decoder rows are unit-norm, kept so in training). */
    static final double JUMPRELU_ENCODER_INIT_NORM = 0.5;

    private final SaeConfig config;
    private final SaeParams params;
    // Views made on first use and kept, so the per-step constraints allocate nothing: W_dec's, and the last
    // gradient's (training passes the same gradient every step).
    private FloatBuffer wDecView;
    private SaeParams gradViewOf;
    private FloatBuffer gradWDecView;

    public Sae(SaeConfig config, SaeParams params) {
        if (params.flat().length() != config.parameterCount()) {
            throw new IllegalArgumentException("parameters do not match the config");
        }
        this.config = config;
        this.params = params;
    }

    /**
     * Decoder rows are random directions (Gaussian, normalised) scaled to unit norm for TopK and gated (which keep
     * them there in training) or to {@link #STANDARD_DECODER_INIT_NORM} for standard; the encoder starts as the
     * decoder's transpose (Gao et al. 2024 §2.3, and SAELens); biases start at zero (the trainer then sets b_dec to
     * the data's geometric median).
     */
    public static Sae initialize(SaeConfig config, long seed) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        double norm = config.architecture() instanceof Architecture.Standard ? STANDARD_DECODER_INIT_NORM : 1.0;
        SplittableRandom random = new SplittableRandom(seed);
        float[] wDec = new float[dSae * dIn]; // [dSae, dIn]
        for (int j = 0; j < dSae; j++) {
            double sq = 0;
            for (int d = 0; d < dIn; d++) {
                double g = random.nextGaussian();
                wDec[j * dIn + d] = (float) g;
                sq += g * g;
            }
            float scale = (float) (norm / Math.sqrt(sq));
            for (int d = 0; d < dIn; d++) {
                wDec[j * dIn + d] *= scale;
            }
        }
        // JumpReLU fires many latents until θ is learned: its encoder starts at 0.5·W_decᵀ (SAELens's
        // decoder_init_norm, which it gives W_enc = W_decᵀ too; 0.5 as in its synthetic benchmark) so the first
        // reconstructions stay near the data. Measured on synthetic data: 0.1 left half the latents dead.
        float encScale = config.architecture() instanceof Architecture.JumpReLU ? (float) JUMPRELU_ENCODER_INIT_NORM
                : 1f;
        float[] wEnc = new float[dIn * dSae]; // [dIn, dSae]
        for (int j = 0; j < dSae; j++) {
            for (int d = 0; d < dIn; d++) {
                wEnc[d * dSae + j] = encScale * wDec[j * dIn + d];
            }
        }
        Map<String, float[]> tensors = new LinkedHashMap<>(); // every bias (b_enc; Gated's b_gate, r_mag, b_mag), and θ, 0:
        // the trainer sets JumpReLU's initial θ; BatchTopK's starts at 0
        for (SaeParams.TensorSpec spec : SaeParams.layout(config)) {
            tensors.put(spec.name(), new float[Math.toIntExact(spec.size())]);
        }
        tensors.put("W_enc", wEnc);
        tensors.put("W_dec", wDec);
        return fromTensors(config, tensors);
    }

    /**
     * The SAE as it runs after training: BatchTopK and Matryoshka BatchTopK become {@link Architecture.JumpReLU}
     * over the same tensors, the running threshold as every latent's θ (what SAELens saves for them); metadata
     * records what it was trained as. Other architectures are returned as they are.
     */
    public Sae forInference() {
        Architecture a = config.architecture();
        Map<String, Object> trainedAs = new LinkedHashMap<>();
        if (a instanceof Architecture.BatchTopK b) {
            trainedAs.put("trained_architecture", "batchtopk");
            trainedAs.put("trained_k", b.k());
        } else if (a instanceof Architecture.MatryoshkaBatchTopK m) {
            trainedAs.put("trained_architecture", "matryoshka_batchtopk");
            trainedAs.put("trained_k", m.k());
            trainedAs.put("matryoshka_widths", m.widths().toString());
        } else {
            return this;
        }
        SaeConfig c = config;
        return withConfig(new SaeConfig(c.dIn(), c.dSae(), new Architecture.JumpReLU(), c.applyBDecToInput(),
                c.normalizeActivations(), c.metadata()).withMetadata(trainedAs));
    }

    /** An SAE over copies of the given row-major arrays (W_enc [dIn,dSae], b_enc [dSae], W_dec [dSae,dIn], b_dec [dIn]). */
    public static Sae fromArrays(SaeConfig config, float[] wEnc, float[] bEnc, float[] wDec, float[] bDec) {
        return fromTensors(config, Map.of("W_enc", wEnc, "b_enc", bEnc, "W_dec", wDec, "b_dec", bDec));
    }

    /**
     * An SAE over copies of named row-major tensors: exactly the names of {@link SaeParams#layout}, each with that
     * many elements. Formats build SAEs through this, so they need no change when an architecture adds a tensor.
     */
    public static Sae fromTensors(SaeConfig config, Map<String, float[]> tensors) {
        List<SaeParams.TensorSpec> layout = SaeParams.layout(config);
        if (tensors.size() != layout.size()) {
            throw new IllegalArgumentException("expected tensors " + layout + ", got " + tensors.keySet());
        }
        SaeParams p = SaeParams.zeros(config);
        for (SaeParams.TensorSpec spec : layout) {
            float[] data = tensors.get(spec.name());
            if (data == null || data.length != spec.size()) {
                throw new IllegalArgumentException("tensor " + spec + " needs " + spec.size() + " values, got "
                        + (data == null ? "none" : data.length));
            }
            Nio.put(p.tensor(spec.name()), data);
        }
        return new Sae(config, p);
    }

    /** Copies of every parameter tensor, row-major, by name in {@link SaeParams#layout} order. */
    public Map<String, float[]> tensors() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (SaeParams.TensorSpec spec : SaeParams.layout(config)) {
            out.put(spec.name(), Nio.get(params.tensor(spec.name())));
        }
        return out;
    }

    public SaeConfig config() {
        return config;
    }

    public SaeParams params() {
        return params;
    }

    public Sae withConfig(SaeConfig newConfig) {
        if (newConfig.dIn() != config.dIn() || newConfig.dSae() != config.dSae()) {
            throw new IllegalArgumentException("a new config must keep d_in and d_sae");
        }
        return new Sae(newConfig, params);
    }

    public Sae copy() {
        return new Sae(config, SaeParams.over(params.flat().dup(), config));
    }

    /** ‖W_dec[j]‖ for every latent j; [dSae]. */
    public float[] decoderRowNorms() {
        INDArray norms = params.wDec().norm2(1);
        return norms.toFloatVector();
    }

    /** Scales every decoder row to unit norm (rows of exactly zero stay zero). */
    public void normalizeDecoderRows() {
        RowOps.normalize(decoderView(), config.dSae(), config.dIn());
    }

    private FloatBuffer decoderView() {
        if (wDecView == null) {
            wDecView = Nio.floats(params.wDec());
        }
        return wDecView;
    }

    /**
     * Removes from each decoder row's gradient its component along that row, so an optimizer step moves the row
     * along the unit sphere and the renormalisation after it loses little (Bricken et al. 2023; Gao et al. 2024).
     * Assumes unit-norm rows.
     */
    public void removeParallelDecoderGrad(SaeParams grad) {
        if (grad != gradViewOf) {
            gradViewOf = grad;
            gradWDecView = Nio.floats(grad.wDec());
        }
        RowOps.removeParallel(gradWDecView, decoderView(), config.dSae(), config.dIn());
    }

    /**
     * The same SAE for raw inputs when it was trained on inputs scaled by {@code s} (SAELens
     * {@code fold_activation_norm_scaling_factor}): encoding {@code s·x} equals encoding {@code x} with
     * {@code W_enc·s} and {@code b_dec/s}; decoding then divides by s, so {@code W_dec/s}.
     */
    public Sae foldInputScaling(double s) {
        Sae folded = copy();
        folded.params.wEnc().muli(s);
        folded.params.wDec().divi(s);
        folded.params.bDec().divi(s);
        return folded.withConfig(config.withNormalizeActivations("none"));
    }
}
