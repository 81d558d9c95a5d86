package org.sae4j.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.sae4j.formats.AtomicFiles;
import org.sae4j.formats.BadInputException;
import org.sae4j.formats.DType;
import org.sae4j.formats.Json;
import org.sae4j.formats.SafetensorsReader;
import org.sae4j.formats.SafetensorsWriter;
import org.sae4j.formats.TensorInfo;

/**
 * The full training state at a step, enough to continue exactly as if never stopped: parameters, Adam's moments,
 * dead-latent counters, firing counts, the step, tokens seen, the data cursor, the input scale, the sums of the
 * metrics interval in progress, the skipped-row count, plus the resolved config it was trained under.
 *
 * <p>On disk, a folder of two files ({@link Checkpoints} names and publishes it):
 * <pre>
 *   state.safetensors  params F32 [nParams] | adam_state F32 [2·nParams] | tokens_since_fired I64 [dSae]
 *                      | firing_counts I64 [dSae]
 *   state.json         format and version, the scalars above, each tensor's dtype, shape and CRC32C (of its bytes
 *                      as stored), the config, and "crc32c": the CRC32C of this object's compact JSON without it
 * </pre>
 * {@link #read} trusts nothing: a torn, truncated, edited or bit-flipped checkpoint is a {@link BadInputException}
 * saying what is wrong, never a silently different resume.
 *
 * @param window      sums of the metrics interval in progress ({@link MetricsWindow#toJson})
 * @param lastMetrics the last metrics line written, or null before the first
 */
record Checkpoint(
        long step,
        long tokensSeen,
        long sourcePosition,
        double inputScale,
        float[] params,
        float[] adamState,
        long[] tokensSinceFired,
        long[] firingCounts,
        long firingWindowTokens,
        long skippedRows,
        String firstSkipped,
        JsonNode window,
        Metrics lastMetrics,
        JsonNode config) {

    static final String TENSORS_FILE = "state.safetensors";
    static final String STATE_FILE = "state.json";
    static final String FORMAT = "sae4j checkpoint";
    static final int VERSION = 2;
    /**
     * Milliseconds to stall between the two files of a checkpoint; 0 (the default) outside the crash test, which
     * sets it so a kill lands mid-write for certain rather than by luck.
     */
    static final String PAUSE_PROPERTY = "sae4j.test.checkpointPauseMillis";

    /** The sizes a checkpoint must have to fit the SAE being trained. */
    record Sizes(long params, long adamState, long dSae) {
    }

    /** Writes both files into {@code dir} (a fresh temp folder), each atomically. */
    void write(Path dir) throws IOException {
        new SafetensorsWriter()
                .put("params", new long[] {params.length}, params)
                .put("adam_state", new long[] {adamState.length}, adamState)
                .putLongs("tokens_since_fired", new long[] {tokensSinceFired.length}, tokensSinceFired)
                .putLongs("firing_counts", new long[] {firingCounts.length}, firingCounts)
                .write(dir.resolve(TENSORS_FILE));
        pauseIfAsked();
        ObjectNode state = Json.mapper().createObjectNode();
        state.put("format", FORMAT);
        state.put("version", VERSION);
        state.put("step", step);
        state.put("tokens_seen", tokensSeen);
        state.put("source_position", sourcePosition);
        state.put("input_scale", inputScale);
        state.put("firing_window_tokens", firingWindowTokens);
        state.put("skipped_rows", skippedRows);
        state.put("first_skipped", firstSkipped);
        state.set("metrics_window", window);
        state.set("last_metrics", lastMetrics == null ? null : MetricsLog.toJson(lastMetrics));
        ObjectNode tensors = state.putObject("tensors");
        tensors.set("params", entry(DType.F32, params.length, crc(params)));
        tensors.set("adam_state", entry(DType.F32, adamState.length, crc(adamState)));
        tensors.set("tokens_since_fired", entry(DType.I64, tokensSinceFired.length, crc(tokensSinceFired)));
        tensors.set("firing_counts", entry(DType.I64, firingCounts.length, crc(firingCounts)));
        state.set("config", config);
        state.put("crc32c", selfCrc(state));
        AtomicFiles.writeString(dir.resolve(STATE_FILE), Json.mapper().writeValueAsString(state) + "\n");
    }

    /**
     * Reads and checks the checkpoint in {@code dir}: state.json's own checksum, format and fields; the tensors'
     * names, dtypes, shapes and checksums against it; and that the parameters are finite. Not checked here: that it
     * fits the current run ({@link #requireFits}).
     *
     * @throws BadInputException naming the folder and the first problem found
     */
    static Checkpoint read(Path dir) throws IOException {
        try {
            return readChecked(dir);
        } catch (BadInputException e) {
            String m = e.getMessage();
            throw new BadInputException(m.startsWith(dir.toString()) ? m : dir + ": " + m, e);
        }
    }

    private static Checkpoint readChecked(Path dir) throws IOException {
        JsonNode state = Json.readTree(dir.resolve(STATE_FILE));
        if (!state.isObject()) {
            throw new BadInputException(STATE_FILE + " is not a JSON object");
        }
        if (!FORMAT.equals(state.path("format").asText(null)) || state.path("version").asInt(-1) != VERSION) {
            throw new BadInputException(STATE_FILE + " is not a version " + VERSION + " sae4j checkpoint (format "
                    + state.get("format") + ", version " + state.get("version") + ")");
        }
        String recorded = state.path("crc32c").asText("");
        ObjectNode unsummed = ((ObjectNode) state).deepCopy();
        unsummed.remove("crc32c");
        if (!recorded.equals(selfCrc(unsummed))) {
            throw new BadInputException(STATE_FILE + " fails its checksum (edited or damaged)");
        }
        JsonNode tensors = object(state, "tensors");
        float[] params;
        float[] adam;
        long[] sinceFired;
        long[] firing;
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve(TENSORS_FILE))) {
            Set<String> names = new TreeSet<>();
            reader.tensors().forEach(t -> names.add(t.name()));
            Set<String> expected = new TreeSet<>();
            tensors.fieldNames().forEachRemaining(expected::add);
            if (!names.equals(expected)) {
                throw new BadInputException(TENSORS_FILE + " holds tensors " + names + " but " + STATE_FILE
                        + " lists " + expected);
            }
            params = reader.readFloats(checkedTensor(reader, tensors, "params"));
            requireCrc("params", tensors, crc(params));
            adam = reader.readFloats(checkedTensor(reader, tensors, "adam_state"));
            requireCrc("adam_state", tensors, crc(adam));
            sinceFired = reader.readLongs(checkedTensor(reader, tensors, "tokens_since_fired"));
            requireCrc("tokens_since_fired", tensors, crc(sinceFired));
            firing = reader.readLongs(checkedTensor(reader, tensors, "firing_counts"));
            requireCrc("firing_counts", tensors, crc(firing));
        }
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                throw new BadInputException("parameter " + i + " is " + params[i]);
            }
        }
        JsonNode last = state.get("last_metrics");
        JsonNode first = state.get("first_skipped");
        Checkpoint c = new Checkpoint(
                nonNegative(state, "step"),
                nonNegative(state, "tokens_seen"),
                nonNegative(state, "source_position"),
                state.path("input_scale").asDouble(Double.NaN),
                params, adam, sinceFired, firing,
                nonNegative(state, "firing_window_tokens"),
                nonNegative(state, "skipped_rows"),
                first == null || first.isNull() ? null : first.asText(),
                object(state, "metrics_window"),
                last == null || last.isNull() ? null : MetricsLog.fromJson(last),
                object(state, "config"));
        if (!(c.inputScale() > 0 && Double.isFinite(c.inputScale()))) {
            throw new BadInputException(STATE_FILE + " has input_scale " + state.get("input_scale"));
        }
        if ((c.skippedRows() > 0) != (c.firstSkipped() != null)) {
            throw new BadInputException(STATE_FILE + " has skipped_rows " + c.skippedRows() + " but first_skipped "
                    + first);
        }
        return c;
    }

    /**
     * Checks that this checkpoint belongs to the run about to resume: the same resolved config (else a
     * {@link BadInputException} naming the first difference) and tensors of the sizes the SAE needs.
     */
    void requireFits(JsonNode currentConfig, Sizes sizes, long batchSize, Path dir) {
        if (!sameJson(config, currentConfig)) {
            throw new BadInputException("cannot resume from " + dir + ": it was trained with another configuration ("
                    + ConfigDiff.first(config, currentConfig) + ")");
        }
        if (params.length != sizes.params() || adamState.length != sizes.adamState()
                || tokensSinceFired.length != sizes.dSae() || firingCounts.length != sizes.dSae()) {
            throw new BadInputException(dir + ": tensors of sizes " + params.length + ", " + adamState.length + ", "
                    + tokensSinceFired.length + ", " + firingCounts.length + " do not fit this SAE (" + sizes.params()
                    + ", " + sizes.adamState() + ", " + sizes.dSae() + ", " + sizes.dSae() + ")");
        }
        if (tokensSeen != step * batchSize) {
            throw new BadInputException(dir + ": tokens_seen " + tokensSeen + " is not step " + step + " × batch "
                    + batchSize);
        }
    }

    /** Whether two JSON trees are the same document (an int and a long of equal value are equal). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        try {
            return Json.compactWriter().writeValueAsString(a).equals(Json.compactWriter().writeValueAsString(b));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    // ---- checksums ----

    private static ObjectNode entry(DType dtype, long length, String crc) {
        ObjectNode e = Json.mapper().createObjectNode();
        e.put("dtype", dtype.specName());
        e.putArray("shape").add(length);
        e.put("crc32c", crc);
        return e;
    }

    /** The tensor {@code name} after checking its dtype and shape are those state.json records. */
    private static String checkedTensor(SafetensorsReader reader, JsonNode tensors, String name) {
        JsonNode e = object(tensors, name);
        TensorInfo t = reader.tensor(name);
        String dtype = e.path("dtype").asText();
        JsonNode shape = e.path("shape");
        long[] recorded = new long[shape.size()];
        for (int i = 0; i < recorded.length; i++) {
            recorded[i] = shape.get(i).asLong(-1);
        }
        if (!t.dtype().specName().equals(dtype) || !shape.isArray() || !Arrays.equals(t.shape(), recorded)) {
            throw new BadInputException("tensor " + name + " is " + t.dtype() + Arrays.toString(t.shape()) + " but "
                    + STATE_FILE + " records " + dtype + shape);
        }
        return name;
    }

    private static void requireCrc(String name, JsonNode tensors, String actual) {
        String recorded = tensors.path(name).path("crc32c").asText("");
        if (!recorded.equals(actual)) {
            throw new BadInputException("tensor " + name + " fails its checksum (CRC32C " + actual + ", recorded "
                    + recorded + ")");
        }
    }

    private static String selfCrc(ObjectNode stateWithoutCrc) {
        try {
            CRC32C c = new CRC32C();
            c.update(Json.compactWriter().writeValueAsBytes(stateWithoutCrc));
            return hex(c.getValue());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checkpoint state cannot be written as JSON", e);
        }
    }

    /** CRC32C of the values' little-endian bytes: the bytes state.safetensors stores for an F32 tensor. */
    static String crc(float[] values) {
        CRC32C c = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(1 << 14).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!b.hasRemaining()) {
                c.update(b.flip());
                b.clear();
            }
            b.putInt(Float.floatToRawIntBits(v));
        }
        c.update(b.flip());
        return hex(c.getValue());
    }

    /** CRC32C of the values' little-endian bytes: the bytes state.safetensors stores for an I64 tensor. */
    static String crc(long[] values) {
        CRC32C c = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(1 << 14).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            if (!b.hasRemaining()) {
                c.update(b.flip());
                b.clear();
            }
            b.putLong(v);
        }
        c.update(b.flip());
        return hex(c.getValue());
    }

    private static String hex(long crc) {
        return String.format("%08x", crc);
    }

    // ---- field access that names what is missing ----

    private static JsonNode object(JsonNode parent, String key) {
        JsonNode v = parent.get(key);
        if (v == null || !v.isObject()) {
            throw new BadInputException(STATE_FILE + " has no object '" + key + "'");
        }
        return v;
    }

    private static long nonNegative(JsonNode state, String key) {
        JsonNode v = state.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new BadInputException(STATE_FILE + " has no non-negative integer '" + key + "' (" + v + ")");
        }
        return v.longValue();
    }

    private static void pauseIfAsked() {
        long ms = Long.getLong(PAUSE_PROPERTY, 0);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
