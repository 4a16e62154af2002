package io.switchboard.ingress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Content checks before anything is stored: the body is well-formed JSON and satisfies the
 * integration's JSON Schema ({@code <schemas>/<integration>.schema.json}), when it has one.
 */
final class PayloadChecks {

    private final ObjectMapper json;
    private final List<Path> schemaDirectories;
    private final Map<String, Optional<JsonSchema>> schemas = new ConcurrentHashMap<>();
    /** Schema files a reload read (dev), by integration. */
    private final Map<String, Path> reloaded = new ConcurrentHashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /**
     * How deep a payload's objects and arrays may nest. Webhook payloads are a handful of
     * levels deep (GitHub's about six); a body nested thousands deep only costs every step that
     * walks it (masking, mapping, validation) stack and time, so it is refused at the door.
     */
    static final int MAX_NESTING = 100;

    PayloadChecks(ObjectMapper json, List<Path> schemaDirectories) {
        // A copy with its own factory: the application's shared mapper keeps Jackson's limits.
        this.json = json.copy();
        this.json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).build());
        this.schemaDirectories = schemaDirectories;
    }

    JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw WebhookRejection.badRequest("Empty body", "The body is empty; send a JSON document.");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw WebhookRejection.badRequest("Empty body", "The body is empty; send a JSON document.");
            }
            if (hasEscapedNul(body)) {
                // PostgreSQL's text and jsonb refuse NUL, so such an event could be stored on
                // H2 and fail on PostgreSQL (or fail a whole group commit): refused alike on both.
                throw WebhookRejection.badRequest("NUL character in JSON",
                        "A JSON string contains \\u0000 (NUL), which Switchboard does not store; remove it.");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw WebhookRejection.badRequest("Malformed JSON", "The body is not valid JSON" + where + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw WebhookRejection.badRequest("Malformed JSON", "The body could not be read as JSON.");
        }
    }

    /** True when the raw JSON holds the escape {@code \\u0000} (an unescaped NUL is not valid JSON at all). */
    static boolean hasEscapedNul(byte[] body) {
        for (int i = 0; i + 5 < body.length; i++) {
            if (body[i] == '\\' && body[i + 1] == 'u' && body[i + 2] == '0' && body[i + 3] == '0'
                    && body[i + 4] == '0' && body[i + 5] == '0') {
                int backslashes = 0;
                for (int j = i; j >= 0 && body[j] == '\\'; j--) {
                    backslashes++;
                }
                if (backslashes % 2 == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    void validate(String integration, JsonNode document) {
        Optional<JsonSchema> schema = schemas.computeIfAbsent(integration, this::load);
        if (schema.isEmpty()) {
            return;
        }
        Set<ValidationMessage> problems = schema.get().validate(document);
        if (!problems.isEmpty()) {
            String detail = problems.stream()
                    .sorted(Comparator.comparing(ValidationMessage::getMessage))
                    .limit(10)
                    .map(ValidationMessage::getMessage)
                    .collect(Collectors.joining("; "));
            throw WebhookRejection.badRequest("Payload does not match the schema", detail);
        }
    }

    /** The first of the schema's {@code examples}, if it gives one: a sample for a test event. */
    Optional<JsonNode> example(String integration) {
        return document(integration).map(schema -> schema.path("examples"))
                .filter(examples -> examples.isArray() && !examples.isEmpty()).map(examples -> examples.get(0));
    }

    /** The schema file's document, as written. */
    Optional<JsonNode> document(String integration) {
        Path file = schemaFile(integration);
        if (file == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(file.toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Path schemaFile(String integration) {
        Path reloadedFile = reloaded.get(integration);
        if (reloadedFile != null && Files.isRegularFile(reloadedFile)) {
            return reloadedFile;
        }
        return schemaDirectories.stream().map(dir -> dir.resolve(integration + ".schema.json"))
                .filter(Files::isRegularFile).findFirst().orElse(null);
    }

    private Optional<JsonSchema> load(String integration) {
        Path file = schemaFile(integration);
        return file == null ? Optional.empty() : Optional.of(read(file));
    }

    private JsonSchema read(Path file) {
        try {
            return factory.getSchema(json.readTree(file.toFile()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("JSON Schema " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one integration's schema again from the file a reload saw change, which is then
     * the one in use while it exists; a file that cannot be read leaves the previous schema in use.
     */
    void reload(String integration, Path file) {
        if (Files.isRegularFile(file)) {
            Optional<JsonSchema> schema = Optional.of(read(file));
            reloaded.put(integration, file);
            schemas.put(integration, schema);
        } else {
            reloaded.remove(integration);
            schemas.put(integration, load(integration));
        }
    }

    /** Loads every schema now, so a broken schema file stops the start instead of the first webhook. */
    void preload(Set<String> integrations) {
        integrations.forEach(id -> schemas.computeIfAbsent(id, this::load));
    }
}
