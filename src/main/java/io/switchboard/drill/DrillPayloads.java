package io.switchboard.drill;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A drill's payloads: one document that a JSON Schema (2020-12) accepts, generated from the
 * whole schema (nested objects, arrays, {@code enum}, {@code const}, {@code default},
 * {@code examples}, {@code format}, local {@code $ref}), whose free text carries the drill's
 * marker, so the sandbox's request log tells the drill's effects from anyone else's; or the
 * card's drill example with the marker put where it says {@value #MARK}. Neither is trusted:
 * the drill validates what it sends against the schema first.
 */
final class DrillPayloads {

    /** Where a card's drill example wants the drill's marker (in a business key, a text the effects echo). */
    static final String MARK = "{drill}";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 8;

    private DrillPayloads() {
    }

    /**
     * A document the schema accepts. The root's own {@code examples} and {@code default} are
     * not used (they carry no marker); a property's are, since they name values that must be
     * real (an existing user's id, say).
     */
    static JsonNode generate(JsonNode schema, String marker) {
        return object(schema, schema, marker, 0);
    }

    /** The card's example with every {@value #MARK} replaced by {@code marker}. */
    static JsonNode mark(JsonNode example, String marker) {
        if (example.isTextual()) {
            return TextNode.valueOf(example.asText().replace(MARK, marker));
        }
        JsonNode copy = example.deepCopy();
        if (copy.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = copy.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(mark(field.getValue(), marker));
            }
        } else if (copy.isArray()) {
            ArrayNode array = (ArrayNode) copy;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, mark(array.get(i), marker));
            }
        }
        return copy;
    }

    /** Whether the example says where the marker goes. */
    static boolean marks(JsonNode example) {
        return example.toString().contains(MARK);
    }

    private static JsonNode value(JsonNode root, JsonNode spec, String name, String marker, int depth) {
        spec = resolve(root, spec);
        if (spec.has("const")) {
            return spec.get("const");
        }
        if (spec.path("enum").isArray() && !spec.path("enum").isEmpty()) {
            return spec.path("enum").get(0);
        }
        if (spec.path("examples").isArray() && !spec.path("examples").isEmpty()) {
            return spec.path("examples").get(0);
        }
        if (spec.has("default")) {
            return spec.get("default");
        }
        for (String choice : new String[] {"oneOf", "anyOf"}) {
            if (spec.path(choice).isArray() && !spec.path(choice).isEmpty()) {
                return value(root, spec.path(choice).get(0), name, marker, depth);
            }
        }
        switch (typeOf(spec)) {
            case "object":
                return depth >= MAX_DEPTH ? NODES.objectNode() : object(root, spec, marker, depth + 1);
            case "array":
                ArrayNode array = NODES.arrayNode();
                int count = Math.max(1, spec.path("minItems").asInt(1));
                for (int i = 0; i < count && depth < MAX_DEPTH; i++) {
                    array.add(value(root, spec.path("items"), name, marker + (i == 0 ? "" : "-" + i), depth + 1));
                }
                return array;
            case "integer":
                return NODES.numberNode(spec.has("minimum") ? (long) Math.ceil(spec.get("minimum").asDouble())
                        : spec.has("exclusiveMinimum") ? (long) Math.floor(spec.get("exclusiveMinimum").asDouble())
                                + 1 : 1L);
            case "number":
                return NODES.numberNode(spec.has("minimum") ? spec.get("minimum").asDouble()
                        : spec.has("exclusiveMinimum") ? spec.get("exclusiveMinimum").asDouble() + 1 : 1.0);
            case "boolean":
                return NODES.booleanNode(true);
            case "null":
                return NODES.nullNode();
            default:
                return text(spec, name, marker);
        }
    }

    private static ObjectNode object(JsonNode root, JsonNode spec, String marker, int depth) {
        spec = resolve(root, spec);
        ObjectNode object = NODES.objectNode();
        for (JsonNode part : spec.path("allOf")) {
            object.setAll(object(root, part, marker, depth));
        }
        Iterator<Map.Entry<String, JsonNode>> properties = spec.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            object.set(property.getKey(), value(root, property.getValue(), property.getKey(), marker, depth));
        }
        return object;
    }

    private static JsonNode text(JsonNode spec, String name, String marker) {
        String format = spec.path("format").asText("");
        String lower = name.toLowerCase(Locale.ROOT);
        String text = switch (format) {
            case "email", "idn-email" -> marker + "@drills.jacquard.io";
            case "date-time" -> Instant.now().atOffset(ZoneOffset.UTC).withNano(0).toString();
            case "date" -> LocalDate.now(ZoneOffset.UTC).toString();
            case "time" -> "09:00:00Z";
            case "uri", "url", "iri", "uri-reference" -> "https://drills.jacquard.io/" + marker;
            case "uuid" -> UUID.nameUUIDFromBytes(marker.getBytes()).toString();
            case "hostname", "idn-hostname" -> marker + ".drills.jacquard.io";
            case "ipv4" -> "192.0.2.1";
            case "ipv6" -> "2001:db8::1";
            default -> lower.contains("email") ? marker + "@drills.jacquard.io" : marker + "-" + name;
        };
        int min = spec.path("minLength").asInt(0);
        while (text.length() < min) {
            text = text + "-";
        }
        int max = spec.path("maxLength").asInt(Integer.MAX_VALUE);
        return TextNode.valueOf(text.length() > max ? text.substring(0, max) : text);
    }

    private static String typeOf(JsonNode spec) {
        JsonNode type = spec.path("type");
        if (type.isArray()) {
            for (JsonNode one : type) {
                if (!"null".equals(one.asText())) {
                    return one.asText();
                }
            }
            return "null";
        }
        if (type.isTextual()) {
            return type.asText();
        }
        return spec.has("properties") ? "object" : spec.has("items") ? "array" : "string";
    }

    /** A local {@code $ref} ({@code #/$defs/label}); others are left as they are. */
    private static JsonNode resolve(JsonNode root, JsonNode spec) {
        for (int hops = 0; hops < MAX_DEPTH && spec.path("$ref").asText("").startsWith("#"); hops++) {
            spec = root.at(spec.path("$ref").asText().substring(1));
        }
        return spec;
    }
}
