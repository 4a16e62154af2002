package io.switchboard.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.springframework.stereotype.Component;

/**
 * Masks sensitive fields ({@code switchboard.journal.masked-fields}) of a JSON payload before a
 * person sees it, at any depth, and cuts payloads that are too long to show. A payload that is
 * not JSON is shown only by its size. {@link MaskedAnswers} applies the same rule to every API
 * answer; journal search matches {@link #searchable(String) what is shown}, never the masked values.
 */
@Component
public class PayloadMask {

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
        String shown = searchable(payload);
        if (shown == null) {
            shown = "(" + payload.length() + " characters, not JSON: not shown)";
        }
        if (shown.length() > maxChars) {
            return shown.substring(0, maxChars) + "… (cut: " + shown.length() + " characters in all)";
        }
        return shown;
    }

    /**
     * The whole payload as a person may see it (masked, never cut), which is what a journal
     * search may match; {@code null} when it is not JSON and so never shown.
     */
    public String searchable(String payload) {
        if (payload == null) {
            return null;
        }
        try {
            return json.writeValueAsString(maskTree(json.readTree(payload), new ArrayList<>()));
        } catch (Exception notJson) {
            return null;
        }
    }

    /** Whether a field of this name is shown only as {@code ***}. */
    public boolean masked(String fieldName) {
        return fields.contains(fieldName.toLowerCase(Locale.ROOT));
    }

    /**
     * Masks a tree in place, at any depth, and adds the values it masked to {@code found}, so
     * that a caller can blot them out wherever else they are quoted (an error message).
     */
    public JsonNode maskTree(JsonNode node, List<String> found) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (masked(name)) {
                    collectValues(object.get(name), found);
                    object.set(name, TextNode.valueOf(MASK));
                } else {
                    object.set(name, maskTree(object.get(name), found));
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, maskTree(array.get(i), found));
            }
        }
        return node;
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
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (masked(name)) {
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

    /** Every scalar value under a node (a masked field may hold an object), for blotting out elsewhere. */
    static void collectValues(JsonNode node, List<String> found) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isContainerNode()) {
            node.forEach(child -> collectValues(child, found));
        } else if (!MASK.equals(node.asText())) {
            found.add(node.asText());
        }
    }
}
