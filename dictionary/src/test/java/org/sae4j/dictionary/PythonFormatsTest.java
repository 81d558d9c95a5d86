package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sae4j.dictionary.PythonFiles.Tensor;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;

/**
 * Folders as SAELens (before 6.0 and 6.x) and EleutherAI's sparsify write them, built byte by byte in
 * {@link PythonFiles}, must load and encode fixed inputs to the latents the Python code computes. The expected
 * latents come from {@link #reference}, a plain transcription of each tool's encode on the arrays as they lie in
 * the file (sparsify's encoder.weight [d_sae, d_in] used untransposed), not from sae4j's forward pass.
 */
class PythonFormatsTest {
    static final int D_IN = 4;
    static final int D_SAE = 6;
    static final int K = 2;
    static final int ROWS = 5;
    /** float32 SAE vs double reference on O(1) values: a few ulps of the largest term. */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    /** The tool's encode, written out: pre = (x − b_dec?)·W + b, optionally × ‖W_dec[j]‖, then ReLU or top-k + ReLU. */
    record Encoder(float[] wEncInByLatent, float[] bEnc, float[] bDec, float[] decNormScale, boolean subtractBDec,
            int k) {
    }

    static double[][] reference(Encoder e, float[][] x) {
        double[][] f = new double[x.length][D_SAE];
        for (int r = 0; r < x.length; r++) {
            double[] pre = new double[D_SAE];
            for (int j = 0; j < D_SAE; j++) {
                double s = e.bEnc()[j];
                for (int d = 0; d < D_IN; d++) {
                    double xin = e.subtractBDec() ? x[r][d] - e.bDec()[d] : x[r][d];
                    s += xin * e.wEncInByLatent()[d * D_SAE + j];
                }
                pre[j] = e.decNormScale() == null ? s : s * e.decNormScale()[j];
            }
            if (e.k() == 0) {
                for (int j = 0; j < D_SAE; j++) {
                    f[r][j] = Math.max(pre[j], 0);
                }
            } else {
                Integer[] order = new Integer[D_SAE];
                for (int j = 0; j < D_SAE; j++) {
                    order[j] = j;
                }
                Arrays.sort(order, (a, b) -> Double.compare(pre[b], pre[a]));
                assertTrue(pre[order[e.k() - 1]] - pre[order[e.k()]] > 1e-3,
                        "fixture row " + r + " has a near tie at the k-th latent; change the inputs");
                for (int t = 0; t < e.k(); t++) {
                    f[r][order[t]] = Math.max(pre[order[t]], 0);
                }
            }
        }
        return f;
    }

    /** x̂ = f·(diag(scale) W_dec) + b_dec as SAELens decodes; scale null means ones. */
    static double[][] referenceDecode(double[][] f, float[] wDec, float[] bDec, float[] scale) {
        double[][] out = new double[f.length][D_IN];
        for (int r = 0; r < f.length; r++) {
            for (int d = 0; d < D_IN; d++) {
                double s = bDec[d];
                for (int j = 0; j < D_SAE; j++) {
                    s += f[r][j] * (scale == null ? 1 : scale[j]) * wDec[j * D_IN + d];
                }
                out[r][d] = s;
            }
        }
        return out;
    }

    static float[][] inputs() {
        float[][] x = new float[ROWS][D_IN];
        for (int r = 0; r < ROWS; r++) {
            for (int d = 0; d < D_IN; d++) {
                x[r][d] = (float) (2 * Math.sin(1.3 * r + 0.7 * d + 0.1));
            }
        }
        return x;
    }

    /** sae4j's latents and reconstruction for {@code x}. */
    static double[][][] encode(Sae sae, float[][] x) {
        SaeWorkspace ws = new SaeWorkspace(sae, x.length);
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(x[r], 0, ws.input(), r * D_IN, D_IN);
        }
        ws.forward();
        double[][] f = new double[x.length][D_SAE];
        ws.forEachActive((row, latent, a) -> f[row][latent] = a);
        double[][] xHat = new double[x.length][D_IN];
        for (int r = 0; r < x.length; r++) {
            for (int d = 0; d < D_IN; d++) {
                xHat[r][d] = ws.reconstruction()[r * D_IN + d];
            }
        }
        return new double[][][] {f, xHat};
    }

    static void assertClose(double[][] expected, double[][] actual, String what) {
        for (int r = 0; r < expected.length; r++) {
            for (int j = 0; j < expected[r].length; j++) {
                assertEquals(expected[r][j], actual[r][j], TOLERANCE * (1 + Math.abs(expected[r][j])),
                        what + " row " + r + " col " + j + ": expected " + Arrays.toString(expected[r]) + " got "
                                + Arrays.toString(actual[r]));
            }
        }
    }

    static int activeCount(double[][] f) {
        int n = 0;
        for (double[] row : f) {
            for (double v : row) {
                n += v > 0 ? 1 : 0;
            }
        }
        return n;
    }

    // ---- SAELens before 6.0 ----

    @Test
    void saeLens3TopKAsStandardWithTopkActivationLoadsAndEncodes() throws IOException {
        // SAELens 3.x: no architecture key, TopK as the activation of a standard SAE, torch.* dtype, hook_point.
        Path dir = tmp.resolve("sae3");
        float[] wEnc = PythonFiles.eighths(D_IN * D_SAE, 1);
        float[] bEnc = PythonFiles.eighths(D_SAE, 2);
        float[] wDec = PythonFiles.eighths(D_SAE * D_IN, 3);
        float[] bDec = PythonFiles.eighths(D_IN, 4);
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_IN, D_SAE}, wEnc),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, bEnc),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, wDec),
                new Tensor("b_dec", "F32", new long[] {D_IN}, bDec));
        float[] sparsity = {-1f, -2.5f, -10f, -0.5f, -3f, -4f};
        PythonFiles.safetensors(dir.resolve("sparsity.safetensors"),
                new Tensor("sparsity", "F32", new long[] {D_SAE}, sparsity));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"model_name\": \"gpt2-small\", \"hook_point\":"
                + " \"blocks.3.hook_resid_pre\", \"hook_point_layer\": 3, \"hook_point_head_index\": null,"
                + " \"d_in\": 4, \"d_sae\": 6, \"dtype\": \"torch.float32\", \"device\": \"cuda\","
                + " \"context_size\": 128, \"dataset_path\": \"Skylion007/openwebtext\", \"activation_fn_str\":"
                + " \"topk\", \"activation_fn_kwargs\": {\"k\": 2}, \"apply_b_dec_to_input\": true,"
                + " \"finetuning_scaling_factor\": false, \"normalize_activations\": false,"
                + " \"sae_lens_training_version\": \"3.13.0\", \"prepend_bos\": true, \"expansion_factor\": 1.5}");

        LoadedSae loaded = SaeFormat.load(dir, null);
        SaeConfig c = loaded.sae().config();
        assertEquals(SaeFormat.SAELENS, loaded.format());
        assertEquals(new Architecture.TopK(K), c.architecture(), "topk activation of a pre-6.0 standard SAE");
        assertEquals("none", c.normalizeActivations(), "normalize_activations false means none");
        assertEquals("blocks.3.hook_resid_pre", c.metadata().get("hook_name"), "hook_point is hook_name now");
        assertEquals(3, c.metadata().get("hook_layer"));
        assertEquals("3.13.0", c.metadata().get("sae_lens_training_version"));
        assertFalse(c.metadata().containsKey("hook_head_index"), "null keys are dropped");
        assertTrue(loaded.notes().get(0).contains("before 6.0"), loaded.notes().toString());
        assertArrayEquals(sparsity, loaded.logSparsity());
        assertEquals(DType.F32, loaded.weightsDType());

        float[][] x = inputs();
        double[][] f = reference(new Encoder(wEnc, bEnc, bDec, null, true, K), x);
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents");
        assertClose(referenceDecode(f, wDec, bDec, null), got[1], "reconstruction");
        assertTrue(activeCount(f) >= ROWS, "the fixture must activate latents to test anything");
    }

    @Test
    void saeLens2StandardFloat16WithFinetuningScaleLoadsAndDecodes() throws IOException {
        // SAELens 2.x: architecture standard, relu, boolean normalize_activations, a finetuned per-latent scale.
        Path dir = tmp.resolve("sae2");
        float[] wEnc = PythonFiles.eighths(D_IN * D_SAE, 5);
        float[] bEnc = PythonFiles.eighths(D_SAE, 6);
        float[] wDec = PythonFiles.eighths(D_SAE * D_IN, 7);
        float[] bDec = PythonFiles.eighths(D_IN, 8);
        float[] scale = {1f, 0.5f, 1.5f, 2f, 0.75f, 1.25f};
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F16", new long[] {D_IN, D_SAE}, wEnc),
                new Tensor("b_enc", "F16", new long[] {D_SAE}, bEnc),
                new Tensor("W_dec", "F16", new long[] {D_SAE, D_IN}, wDec),
                new Tensor("b_dec", "F16", new long[] {D_IN}, bDec),
                new Tensor("scaling_factor", "F16", new long[] {D_SAE}, scale));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"architecture\": \"standard\", \"d_in\": 4, \"d_sae\": 6,"
                + " \"activation_fn_str\": \"relu\", \"apply_b_dec_to_input\": true, \"finetuning_scaling_factor\":"
                + " true, \"context_size\": 1024, \"model_name\": \"gelu-2l\", \"hook_name\":"
                + " \"blocks.0.hook_mlp_out\", \"hook_layer\": 0, \"hook_head_index\": null, \"prepend_bos\": true,"
                + " \"dataset_path\": \"NeelNanda/c4-10k\", \"dtype\": \"float16\", \"device\": \"cpu\","
                + " \"sae_lens_training_version\": \"2.1.3\", \"normalize_activations\": false}");

        LoadedSae loaded = SaeLensFormat.read(dir);
        assertEquals(new Architecture.Standard(), loaded.sae().config().architecture());
        assertEquals(DType.F16, loaded.weightsDType());
        assertTrue(String.join(" ", loaded.notes()).contains("scaling_factor"), loaded.notes().toString());
        assertNull(loaded.logSparsity(), "no sparsity.safetensors");
        float[][] x = inputs();
        double[][] f = reference(new Encoder(wEnc, bEnc, bDec, null, true, 0), x);
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents (the scale acts after encoding)");
        assertClose(referenceDecode(f, wDec, bDec, scale), got[1], "reconstruction through the scaled latents");
    }

    @Test
    void preSixUnsupportedArchitecturesAndActivationsAreNamed() throws IOException {
        Path dir = tmp.resolve("transcoder");
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("b_dec", "F32", new long[] {D_IN}, new float[D_IN]));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"architecture\": \"transcoder\", \"d_in\": 4, \"d_sae\": 6,"
                + " \"hook_point\": \"blocks.0.hook_resid_pre\"}");
        BadInputException e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("architecture 'transcoder'"), e.getMessage());

        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"activation_fn_str\":"
                + " \"tanh-relu\"}");
        e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("activation_fn 'tanh-relu'"), e.getMessage());

        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"activation_fn_str\": \"topk\","
                + " \"activation_fn_kwargs\": {}}");
        e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("'k' must be a positive integer (missing)"), e.getMessage());
    }

    // ---- SAELens 6.x ----

    @Test
    void saeLens6TopKBfloat16WithDecoderNormRescaleAndRawInput() throws IOException {
        Path dir = tmp.resolve("sae6");
        float[] wEnc = PythonFiles.eighths(D_IN * D_SAE, 9);
        float[] bEnc = PythonFiles.eighths(D_SAE, 10);
        float[] wDec = PythonFiles.eighths(D_SAE * D_IN, 11);
        float[] bDec = PythonFiles.eighths(D_IN, 12);
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_dec", "BF16", new long[] {D_SAE, D_IN}, wDec),
                new Tensor("W_enc", "BF16", new long[] {D_IN, D_SAE}, wEnc),
                new Tensor("b_dec", "BF16", new long[] {D_IN}, bDec),
                new Tensor("b_enc", "BF16", new long[] {D_SAE}, bEnc));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"dtype\": \"bfloat16\", \"device\":"
                + " \"cuda\", \"apply_b_dec_to_input\": false, \"normalize_activations\": \"none\","
                + " \"reshape_activations\": \"none\", \"metadata\": {\"sae_lens_version\": \"6.5.1\","
                + " \"sae_lens_training_version\": \"6.5.1\", \"model_name\": \"pythia-70m\", \"hook_name\":"
                + " \"blocks.2.hook_resid_post\", \"dataset_path\": \"monology/pile-uncopyrighted\"}, \"k\": 2,"
                + " \"rescale_acts_by_decoder_norm\": true, \"architecture\": \"topk\"}");

        LoadedSae loaded = SaeFormat.load(dir, null);
        SaeConfig c = loaded.sae().config();
        assertEquals(new Architecture.TopK(K), c.architecture());
        assertFalse(c.applyBDecToInput());
        assertEquals("pythia-70m", c.metadata().get("model_name"));
        assertEquals(DType.BF16, loaded.weightsDType());
        assertTrue(String.join(" ", loaded.notes()).contains("rescale_acts_by_decoder_norm"), loaded.notes()
                .toString());
        float[] norms = new float[D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            double s = 0;
            for (int d = 0; d < D_IN; d++) {
                s += wDec[j * D_IN + d] * wDec[j * D_IN + d];
            }
            norms[j] = (float) Math.sqrt(s);
        }
        float[] inverse = new float[D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            inverse[j] = 1 / norms[j];
        }
        float[][] x = inputs();
        double[][] f = reference(new Encoder(wEnc, bEnc, bDec, norms, false, K), x);
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents (pre-activations × decoder norms, as SAELens 6 TopKSAE.encode)");
        assertClose(referenceDecode(f, wDec, bDec, inverse), got[1], "reconstruction f/‖W_dec‖ · W_dec + b_dec");
    }

    @Test
    void saeLens6UnknownArchitectureIsRefusedByName() throws IOException {
        Path dir = tmp.resolve("temporal");
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("threshold", "F32", new long[] {D_SAE}, new float[D_SAE]));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"architecture\": \"temporal\","
                + " \"metadata\": {\"sae_lens_version\": \"6.0.0\"}}");
        BadInputException e = assertThrows(BadInputException.class, () -> SaeFormat.load(dir, null));
        assertTrue(e.getMessage().contains("architecture 'temporal' is not supported"), e.getMessage());
    }

    @Test
    void saeLensTensorsAreCheckedByShapeAndUnexpectedOnesRefused() throws IOException {
        Path dir = tmp.resolve("bad");
        float[] w = PythonFiles.eighths(D_IN * D_SAE, 1);
        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"architecture\": \"standard\","
                + " \"metadata\": {\"sae_lens_version\": \"6.0.0\"}}");
        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_SAE, D_IN}, w),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, new float[D_SAE]),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, w),
                new Tensor("b_dec", "F32", new long[] {D_IN}, new float[D_IN]));
        BadInputException e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("W_enc has shape [6, 4], cfg.json implies [4, 6]")
                && e.getMessage().contains("transpose"), e.getMessage());

        PythonFiles.safetensors(dir.resolve("sae_weights.safetensors"),
                new Tensor("W_enc", "F32", new long[] {D_IN, D_SAE}, w),
                new Tensor("b_enc", "F32", new long[] {D_SAE}, new float[D_SAE]),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, w),
                new Tensor("b_dec", "F32", new long[] {D_IN}, new float[D_IN]),
                new Tensor("threshold", "F32", new long[] {D_SAE}, new float[D_SAE]));
        e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("unexpected tensor 'threshold'"), e.getMessage());

        PythonFiles.text(dir.resolve("cfg.json"), "{\"d_in\": 4, \"d_sae\": 6, \"dtype\": \"float8\"}");
        e = assertThrows(BadInputException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains("unknown dtype 'float8'"), e.getMessage());
    }

    // ---- sparsify ----

    /** A sparsify run folder: run/config.json and run/layers.1/{cfg.json, sae.safetensors}. */
    static Path sparsifyRun(Path root, String dtype, float[][] params) throws IOException {
        Path dir = root.resolve("layers.1");
        PythonFiles.safetensors(dir.resolve("sae.safetensors"),
                new Tensor("W_dec", dtype, new long[] {D_SAE, D_IN}, params[2]),
                new Tensor("b_dec", dtype, new long[] {D_IN}, params[3]),
                new Tensor("encoder.bias", dtype, new long[] {D_SAE}, params[1]),
                new Tensor("encoder.weight", dtype, new long[] {D_SAE, D_IN}, params[0]));
        PythonFiles.text(dir.resolve("cfg.json"), "{\"activation\": \"topk\", \"expansion_factor\": 32,"
                + " \"normalize_decoder\": true, \"num_latents\": 6, \"k\": 2, \"multi_topk\": false,"
                + " \"skip_connection\": false, \"transcode\": false, \"d_in\": 4}");
        PythonFiles.text(root.resolve("config.json"), "{\"sae\": {\"k\": 2}, \"batch_size\": 32, \"hookpoints\":"
                + " [\"layers.1\"], \"model\": \"EleutherAI/pythia-70m\", \"dataset\":"
                + " \"EleutherAI/fineweb-edu-dedup-10b\", \"ctx_len\": 2048}");
        return dir;
    }

    static float[][] sparsifyParams(int salt) {
        return new float[][] {PythonFiles.eighths(D_SAE * D_IN, salt), PythonFiles.eighths(D_SAE, salt + 1),
                PythonFiles.eighths(D_SAE * D_IN, salt + 2), PythonFiles.eighths(D_IN, salt + 3)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void sparsifyFolderLoadsAndEncodesLikeSparseCoder(String dtype) throws IOException {
        float[][] p = sparsifyParams(20);
        Path run = tmp.resolve("run");
        sparsifyRun(run, dtype, p);
        BadInputException many = assertThrows(BadInputException.class, () -> SaeFormat.load(run, null));
        assertTrue(many.getMessage().contains("1 hookpoints (layers.1)") && many.getMessage().contains(
                "--hookpoint"), many.getMessage());

        LoadedSae loaded = SaeFormat.load(run, "layers.1");
        SaeConfig c = loaded.sae().config();
        assertEquals(SaeFormat.SPARSIFY, loaded.format());
        assertEquals(DType.valueOf(dtype), loaded.weightsDType());
        assertEquals(new Architecture.TopK(K), c.architecture());
        assertTrue(c.applyBDecToInput(), "sparsify encodes x − b_dec");
        assertEquals("layers.1", c.metadata().get("sparsify_hookpoint"));
        assertEquals("EleutherAI/pythia-70m", c.metadata().get("model_name"));
        assertEquals(2048, c.metadata().get("context_size"));

        // encoder.weight is [d_sae, d_in]: W[d, j] of the reference is encoder.weight[j, d].
        float[] wInByLatent = SparsifyFormat.transpose(p[0], D_SAE, D_IN);
        float[][] x = inputs();
        double[][] f = reference(new Encoder(wInByLatent, p[1], p[3], null, true, K), x);
        double[][][] got = encode(loaded.sae(), x);
        assertClose(f, got[0], "latents");
        assertClose(referenceDecode(f, p[2], p[3], null), got[1], "reconstruction");
    }

    @Test
    void sparsifyShapesAreCheckedAgainstCfgAndEachOther() throws IOException {
        float[][] p = sparsifyParams(30);
        Path dir = sparsifyRun(tmp.resolve("run"), "F32", p);
        // encoder.weight stored [d_in, d_sae], the SAELens way round.
        PythonFiles.safetensors(dir.resolve("sae.safetensors"),
                new Tensor("encoder.weight", "F32", new long[] {D_IN, D_SAE}, p[0]),
                new Tensor("encoder.bias", "F32", new long[] {D_SAE}, p[1]),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, p[2]),
                new Tensor("b_dec", "F32", new long[] {D_IN}, p[3]));
        BadInputException e = assertThrows(BadInputException.class, () -> SparsifyFormat.read(dir));
        assertTrue(e.getMessage().contains("encoder.weight has shape [4, 6]") && e.getMessage().contains(
                "implies [6, 4]") && e.getMessage().contains("transpose"), e.getMessage());

        // cfg.json says 8 latents, the tensors hold 6.
        sparsifyRun(tmp.resolve("run"), "F32", p);
        PythonFiles.text(dir.resolve("cfg.json"), "{\"activation\": \"topk\", \"expansion_factor\": 2,"
                + " \"normalize_decoder\": true, \"num_latents\": 0, \"k\": 2, \"multi_topk\": false, \"d_in\": 4}");
        e = assertThrows(BadInputException.class, () -> SparsifyFormat.read(dir));
        assertTrue(e.getMessage().contains("has shape [6, 4], cfg.json (d_in 4, 8 latents) implies [8, 4]"),
                e.getMessage());

        // A skip connection's tensor is refused even if cfg.json forgot to say so.
        PythonFiles.text(dir.resolve("cfg.json"), "{\"num_latents\": 6, \"k\": 2, \"d_in\": 4}");
        PythonFiles.safetensors(dir.resolve("sae.safetensors"),
                new Tensor("encoder.weight", "F32", new long[] {D_SAE, D_IN}, p[0]),
                new Tensor("encoder.bias", "F32", new long[] {D_SAE}, p[1]),
                new Tensor("W_dec", "F32", new long[] {D_SAE, D_IN}, p[2]),
                new Tensor("b_dec", "F32", new long[] {D_IN}, p[3]),
                new Tensor("W_skip", "F32", new long[] {D_IN, D_IN}, new float[D_IN * D_IN]));
        e = assertThrows(BadInputException.class, () -> SparsifyFormat.read(dir));
        assertTrue(e.getMessage().contains("unexpected tensor 'W_skip' [4, 4]"), e.getMessage());

        // Saved without its decoder.
        PythonFiles.safetensors(dir.resolve("sae.safetensors"),
                new Tensor("encoder.weight", "F32", new long[] {D_SAE, D_IN}, p[0]),
                new Tensor("encoder.bias", "F32", new long[] {D_SAE}, p[1]),
                new Tensor("b_dec", "F32", new long[] {D_IN}, p[3]));
        e = assertThrows(BadInputException.class, () -> SparsifyFormat.read(dir));
        assertTrue(e.getMessage().contains("no W_dec"), e.getMessage());
    }

    @Test
    void sparsifyConfigsWithoutAnSaeEquivalentAreRefused() throws IOException {
        Path dir = sparsifyRun(tmp.resolve("run"), "F32", sparsifyParams(40));
        String[][] cases = {
                {"{\"activation\": \"groupmax\", \"num_latents\": 6, \"k\": 2, \"d_in\": 4}", "activation 'groupmax'"},
                {"{\"num_latents\": 6, \"k\": 2, \"transcode\": true, \"d_in\": 4}", "transcoder"},
                {"{\"num_latents\": 6, \"k\": 2, \"skip_connection\": true, \"d_in\": 4}", "skip_connection"},
                {"{\"num_latents\": 6, \"k\": 2}", "no 'd_in'"},
                {"{\"num_latents\": 6, \"k\": 7, \"d_in\": 4}", "k = 7 exceeds d_sae = 6"},
                {"[1, 2]", "expected a JSON object"},
        };
        for (String[] c : cases) {
            PythonFiles.text(dir.resolve("cfg.json"), c[0]);
            BadInputException e = assertThrows(BadInputException.class, () -> SparsifyFormat.read(dir), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
