package org.sae4j.formats;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one Jackson configuration of the project: configs, cfg.json beside weights, metrics lines and safetensors
 * headers all go through it, so they agree on number formats and strictness.
 */
public final class Json {
    /**
     * Pretty-printed output (cfg.json files are read by people). Unknown properties fail, so a misspelled config
     * field is an error rather than a silently ignored default; duplicate keys fail for the same reason.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {
    }

    /** The shared mapper; do not reconfigure it (it is shared by every thread and module). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A writer without indentation, for one-line output (metrics.jsonl, safetensors headers). */
    public static ObjectWriter compactWriter() {
        return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
    }

    /** Parses a JSON file; a missing or malformed file is a {@link BadInputException} naming it, in one line. */
    public static JsonNode readTree(Path file) {
        return parse(file, MAPPER::readTree);
    }

    /** Reads a JSON file into {@code type} (a config record, say) with the same error handling as readTree. */
    public static <T> T read(Path file, Class<T> type) {
        return parse(file, bytes -> MAPPER.readValue(bytes, type));
    }

    private interface Parser<T> {
        T parse(byte[] bytes) throws IOException;
    }

    private static <T> T parse(Path file, Parser<T> parser) {
        try {
            return parser.parse(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw notValid(file.toString(), e);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + oneLine(e.getMessage()), e);
        }
    }

    /** Writes {@code value} pretty-printed, atomically, with a trailing newline. */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, MAPPER.writeValueAsString(value) + "\n");
    }

    /** The one-line error for a JSON syntax or mapping problem in {@code where} (a file, or file plus part). */
    static BadInputException notValid(String where, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String at = (loc == null || loc.getLineNr() < 0) ? ""
                : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return new BadInputException(where + ": not valid JSON: " + oneLine(e.getOriginalMessage()) + at, e);
    }

    /** Collapses a multi-line library message so the CLI can print it as one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
