package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.sae4j.dictionary.Nd4jNatives;
import org.sae4j.eval.EvalResult;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.Json;
import org.sae4j.trainer.TrainResult;

/** The README.md of an output folder: what was trained, on what, how well, and what each file is. */
final class RunSummary {
    private RunSummary() {
    }

    static void write(Path dir, JsonNode settings, TrainResult result, EvalResult eval, String evaluatedOn)
            throws IOException {
        JsonNode sae = settings.get("sae");
        StringBuilder s = new StringBuilder();
        s.append("# sae4j run\n\n");
        s.append(String.format(Locale.ROOT, "A %s sparse autoencoder trained by sae4j %s on %,d activation vectors"
                        + " (%,d steps, %.1f s in the last session).%n%n", sae.path("architecture").asText(),
                Version.get(), result.tokens(), result.steps(), result.seconds()));
        s.append(String.format(Locale.ROOT, "- d_in %d, d_sae %d%s%n", result.sae().config().dIn(),
                result.sae().config().dSae(), architectureDetail(sae)));
        s.append("- source: ").append(Json.compactWriter().writeValueAsString(settings.get("source"))).append('\n');
        s.append("- nd4j natives: ").append(Nd4jNatives.inForce().label()).append(" (the last session's)\n");
        if (result.skippedRows() > 0) {
            s.append(String.format(Locale.ROOT, "- skipped %,d activation rows holding NaN or Inf (first: %s)%n",
                    result.skippedRows(), result.firstSkipped()));
        }
        s.append("\n## Evaluation on ").append(evaluatedOn).append("\n\n```\n").append(eval.toTable())
                .append("```\n\n");
        s.append("""
                ## Files
                - `cfg.json`, `sae_weights.safetensors`, `sparsity.safetensors`: the SAE in SAELens v6 format
                  (`SAE.load_from_disk` in SAELens opens it); input normalisation is folded into the weights, whose
                  dtype is cfg.json's `dtype`. `sae4j convert --to sparsify` writes it for EleutherAI's sparsify.
                - `run.json`: every setting of the run; `sae4j train --config run.json` repeats it.
                - `metrics.jsonl`: training metrics, one line per logged interval.
                - `eval.json`: the evaluation above, in full.
                - `checkpoints/`: resumable state (`sae4j train --config run.json --resume`).
                """);
        AtomicFiles.writeString(dir.resolve("README.md"), s.toString());
    }

    /** What the README says beside d_in and d_sae about the architecture's own settings. */
    private static String architectureDetail(JsonNode sae) {
        int k = sae.path("k").asInt();
        return switch (sae.path("architecture").asText()) {
            case "topk" -> ", k " + k;
            case "batchtopk" -> ", k " + k + " on average over each batch; saved as jumprelu with the threshold it"
                    + " learned";
            case "matryoshka", "matryoshka_batchtopk" -> ", k " + k + " on average over each batch, nested prefixes "
                    + sae.path("matryoshka_widths") + " (and d_sae); saved as jumprelu with the threshold it learned";
            case "jumprelu" -> ", a learned threshold per latent";
            default -> "";
        };
    }
}
