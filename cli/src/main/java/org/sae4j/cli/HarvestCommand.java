package org.sae4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.sae4j.activations.Hdf5ShardWriter;
import org.sae4j.activations.model.ActivationCapture;
import org.sae4j.activations.model.ContextWindow;
import org.sae4j.activations.model.ContextWindows;
import org.sae4j.activations.model.HookKind;
import org.sae4j.activations.model.HookPoint;
import org.sae4j.activations.model.LlamaModel;
import org.sae4j.activations.model.Tokenizer;
import org.sae4j.activations.model.WindowPolicy;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.Json;

/**
 * {@code sae4j harvest}: runs a model over a corpus and writes the activations at one hook point, with the token id,
 * position and window of every row, as a folder of HDF5 shards ({@link Hdf5ShardWriter}); {@code sae4j train
 * --data} and {@code sae4j eval --data} read the folder as one array. Windows are taken in corpus order; BOS
 * positions are left out unless {@code --harvest-bos}. Nothing appears at {@code --out} unless the harvest
 * completes.
 */
final class HarvestCommand implements Command {
    /** Default shard size in bytes of activations: bounded memory however wide the model. */
    static final long SHARD_BYTES = 64L << 20;

    @Override
    public String name() {
        return "harvest";
    }

    @Override
    public String summary() {
        return "run a llama2.c model over a text and write one hook point's activations to HDF5 shards";
    }

    @Override
    public Options options() {
        Options o = new Options();
        ModelFiles.addModelOptions(o);
        ModelFiles.addTextOptions(o);
        o.addOption(Option.builder().longOpt("layer").hasArg().argName("N").required()
                .desc("block to read (0-based)").build());
        o.addOption(Option.builder().longOpt("hook").hasArg().argName("NAME")
                .desc("resid_pre, attn_out, resid_mid, mlp_out or resid_post [resid_post]").build());
        o.addOption(Option.builder().longOpt("tokens").hasArg().argName("N")
                .desc("activation rows to harvest [all the text holds]").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").required()
                .desc("new folder for the shards (must not exist)").build());
        o.addOption(Option.builder().longOpt("context-size").hasArg().argName("N")
                .desc("tokens per context window [512, at most seq_len]").build());
        o.addOption(Option.builder().longOpt("window-policy").hasArg().argName("POLICY")
                .desc("truncate (one window per document, from BOS) or pack (documents back to back) [truncate]")
                .build());
        o.addOption(Option.builder().longOpt("harvest-bos").desc("also harvest BOS positions").build());
        o.addOption(Option.builder().longOpt("batch-tokens").hasArg().argName("N")
                .desc("most tokens per forward pass [8192]").build());
        o.addOption(Option.builder().longOpt("shard-rows").hasArg().argName("N")
                .desc("rows per HDF5 shard [64 MiB of float32 activations]").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        int layer = Flags.nonNegativeInt(line, "layer", 0);
        HookKind kind = HookKind.parse(line.getOptionValue("hook", "resid_post"));
        WindowPolicy policy = WindowPolicy.parse(line.getOptionValue("window-policy", "truncate"));
        int batchTokens = Flags.positiveInt(line, "batch-tokens", 8192);
        long wanted = Flags.positiveLong(line, "tokens", Long.MAX_VALUE);
        boolean harvestBos = line.hasOption("harvest-bos");
        Path outDir = Path.of(line.getOptionValue("out"));
        if (java.nio.file.Files.exists(outDir)) {
            throw new BadInputException("--out: " + outDir + " already exists; harvest into a new folder");
        }

        LlamaModel model = ModelFiles.model(line);
        int nLayers = model.config().nLayers();
        if (layer >= nLayers) {
            throw new BadInputException("--layer " + layer + ": the model has " + nLayers + " layers (0.."
                    + (nLayers - 1) + ")");
        }
        HookPoint point = new HookPoint(layer, kind);
        int seqLen = model.config().seqLen();
        int contextSize = Flags.positiveInt(line, "context-size", Math.min(512, seqLen));
        if (contextSize < 2 || contextSize > seqLen) {
            throw new BadInputException("--context-size: " + contextSize + " is outside [2, " + seqLen
                    + "] (the model's seq_len)");
        }
        int dim = model.config().dim();
        int shardRows = Flags.positiveInt(line, "shard-rows", (int) Math.max(1, SHARD_BYTES / (4L * dim)));
        Tokenizer tokenizer = ModelFiles.tokenizer(line, model);

        long t0 = System.nanoTime();
        List<String> docs = ModelFiles.documents(line);
        List<ContextWindow> windows = ContextWindows.build(docs, tokenizer, contextSize, policy, harvestBos);
        double tokenizeSeconds = (System.nanoTime() - t0) / 1e9;
        long available = windows.stream().mapToLong(ContextWindow::harvestCount).sum();
        if (available == 0) {
            throw new BadInputException("--text: " + line.getOptionValue("text") + " holds no tokens to harvest");
        }
        long target = Math.min(wanted, available);

        ObjectNode settings = Json.mapper().createObjectNode();
        settings.put("model", line.getOptionValue("model"));
        settings.put("tokenizer", line.getOptionValue("tokenizer"));
        settings.put("text", line.getOptionValue("text"));
        settings.put("text_format", line.getOptionValue("text-format", "auto"));
        settings.put("hook_name", point.name());
        settings.put("d_in", dim);
        settings.put("context_size", contextSize);
        settings.put("window_policy", policy.label());
        settings.put("harvest_bos", harvestBos);
        settings.put("tokens", target);
        settings.put("batch_tokens", batchTokens);
        settings.put("shard_rows", shardRows);
        out.println("sae4j harvest: " + Json.compactWriter().writeValueAsString(settings));
        if (wanted != Long.MAX_VALUE && wanted > available) {
            err.printf(Locale.ROOT, "note: the text holds %,d harvestable tokens, fewer than --tokens %,d; harvesting"
                    + " all of them%n", available, wanted);
        }

        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("hook_name", point.name());
        attributes.put("model", Path.of(line.getOptionValue("model")).getFileName().toString());
        attributes.put("context_size", contextSize);
        long modelTokens = 0;
        long written = 0;
        double harvestSeconds;
        int shards;
        try (Hdf5ShardWriter writer = Hdf5ShardWriter.create(outDir, dim, shardRows, attributes);
             TokenProgress progress = new TokenProgress(err, "harvest", target)) {
            ActivationCapture capture = new ActivationCapture(model, List.of(point), batchTokens);
            long t1 = System.nanoTime();
            int next = 0;
            while (written < target) {
                // One forward pass: windows until the batch is full or the target is covered.
                List<ContextWindow> batch = new ArrayList<>();
                long tokens = 0;
                long rows = 0;
                while (next < windows.size() && written + rows < target && (batch.isEmpty()
                        || tokens + windows.get(next).length() <= batchTokens)) {
                    ContextWindow w = windows.get(next++);
                    batch.add(w);
                    tokens += w.length();
                    rows += w.harvestCount();
                }
                int firstWindow = next - batch.size();
                ActivationCapture.Rows r = capture.run(batch);
                int take = (int) Math.min(r.count(), target - written);
                long[] windowIds = new long[take];
                for (int i = 0; i < take; i++) {
                    windowIds[i] = firstWindow + (long) r.windows()[i];
                }
                writer.add(r.activations().get(0), r.tokenIds(), r.positions(), windowIds, take);
                written += take;
                modelTokens += tokens;
                progress.done(written);
            }
            harvestSeconds = (System.nanoTime() - t1) / 1e9;
            settings.put("rows", written);
            settings.put("model_tokens", modelTokens);
            settings.put("shards", (written + shardRows - 1) / shardRows);
            settings.put("seconds", Math.round(harvestSeconds * 100) / 100.0);
            settings.put("rows_per_second", Math.round(written / harvestSeconds));
            settings.put("tokenize_seconds", Math.round(tokenizeSeconds * 100) / 100.0);
            ObjectNode files = settings.putObject("datasets");
            files.put(Hdf5ShardWriter.ACTIVATIONS, "float32 [rows, d_in]");
            files.put(Hdf5ShardWriter.TOKEN_IDS, "int32 [rows]: token at the row");
            files.put(Hdf5ShardWriter.POSITIONS, "int32 [rows]: position in its context window");
            files.put(Hdf5ShardWriter.WINDOWS, "int64 [rows]: context window index, in corpus order");
            writer.commit(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(settings) + "\n");
            shards = writer.shards();
        }
        out.printf(Locale.ROOT, "harvested %,d rows of %s [%,d, %d] from %,d model tokens in %.1f s: %,.0f rows/s"
                        + " (%,.0f model tokens/s; tokenizing took %.1f s)%n", written, point.name(), written, dim,
                modelTokens, harvestSeconds, written / harvestSeconds, modelTokens / harvestSeconds, tokenizeSeconds);
        out.println("wrote " + shards + " shard" + (shards == 1 ? "" : "s") + " and harvest.json to " + outDir);
        return Main.OK;
    }
}
