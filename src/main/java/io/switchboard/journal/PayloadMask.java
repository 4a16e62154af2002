package io.switchboard.journal;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Masks sensitive fields of a JSON payload before a person sees it, at any depth, and cuts
 * payloads that are too long to show. A payload that is not JSON is shown only by its size.
 */
public final class PayloadMask {

    static final String MASK = "***";

    private final Set<String> fields;
    private final int maxChars;
    private final ObjectMapper json;

    public PayloadMask(JournalProperties properties, ObjectMapper json) {
        this.fields = properties.maskedFields().stream().map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.maxChars = (int) Math.min(Integer.MAX_VALUE, properties.maxPayloadShown().toBytes());
        this.json = json;
    }

    public String mask(String payload) {
        if (payload == null) {
            return null;
        }
        String shown;
        try {
            JsonNode tree = json.readTree(payload);
            shown = json.writeValueAsString(maskNode(tree));
        } catch (Exception notJson) {
            shown = "(" + payload.length() + " characters, not JSON: not shown)";
        }
        if (shown.length() > maxChars) {
            return shown.substring(0, maxChars) + "… (cut: " + shown.length() + " characters in all)";
        }
        return shown;
    }

    /**
     * The payload without its sensitive fields at all (not even masked), for reuse as a new
     * payload such as a test event's sample; {@code null} when it is not JSON.
     */
    public JsonNode withoutSensitive(String payload) {
        try {
            return payload == null ? null : strip(json.readTree(payload));
        } catch (Exception notJson) {
            return null;
        }
    }

    private JsonNode strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (fields.contains(name.toLowerCase(Locale.ROOT))) {
                    object.remove(name);
                } else {
                    strip(object.get(name));
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(this::strip);
        }
        return node;
    }

    private JsonNode maskNode(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (fields.contains(name.toLowerCase(Locale.ROOT))) {
                    object.set(name, TextNode.valueOf(MASK));
                } else {
                    object.set(name, maskNode(object.get(name)));
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, maskNode(array.get(i)));
            }
        }
        return node;
    }
}
