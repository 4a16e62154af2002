package io.switchboard.journal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * The one masking step of every JSON answer (the API, and so the console): events, dead
 * letters, alerts, drills' evidence, test-event answers, whatever endpoint comes next. Each
 * field named in {@code switchboard.journal.masked-fields} is shown as {@code ***} at any depth,
 * also inside a string that holds JSON (a stored payload or headers), and a value masked that
 * way is blotted out wherever else the same answer quotes it (an error message that repeats
 * the payload). Controllers need not remember it, so a new endpoint cannot forget it. Only the
 * sandbox's simulated systems answer as they are: they play the outside world.
 */
@RestControllerAdvice
class MaskedAnswers implements ResponseBodyAdvice<Object> {

    /** Shorter masked values are not searched for elsewhere: "1" or "yes" would blot out too much. */
    private static final int MIN_QUOTED_SECRET = 4;

    private final PayloadMask mask;
    private final ObjectMapper json;

    MaskedAnswers(PayloadMask mask, ObjectMapper json) {
        this.mask = mask;
        this.json = json;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return AbstractJackson2HttpMessageConverter.class.isAssignableFrom(converterType);
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        if (body == null || body instanceof ProblemDetail || request.getURI().getPath().startsWith("/sandbox/")) {
            return body;
        }
        JsonNode tree = json.valueToTree(body);
        List<String> found = new ArrayList<>();
        JsonNode masked = maskAll(tree, found);
        List<String> quoted = found.stream().filter(value -> value.length() >= MIN_QUOTED_SECRET).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        return quoted.isEmpty() ? masked : blot(masked, quoted);
    }

    private JsonNode maskAll(JsonNode node, List<String> found) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (mask.masked(name) && !value.isNull()) {
                    PayloadMask.collectValues(value, found);
                    object.put(name, PayloadMask.MASK);
                } else {
                    object.set(name, maskAll(value, found));
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, maskAll(array.get(i), found));
            }
            return array;
        }
        if (node instanceof TextNode text && holdsJson(text.textValue())) {
            try {
                JsonNode inner = json.readTree(text.textValue());
                if (inner != null && inner.isContainerNode()) {
                    return TextNode.valueOf(json.writeValueAsString(maskAll(inner, found)));
                }
            } catch (Exception notJson) {
                // shown as it is: a payload the journal already showed by its size only, or a cut one
            }
        }
        return node;
    }

    private static JsonNode blot(JsonNode node, List<String> secrets) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            names.forEach(name -> object.set(name, blot(object.get(name), secrets)));
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, blot(array.get(i), secrets));
            }
            return array;
        }
        if (node instanceof TextNode text) {
            String value = text.textValue();
            for (String secret : secrets) {
                value = value.replace(secret, PayloadMask.MASK);
            }
            return value.equals(text.textValue()) ? node : TextNode.valueOf(value);
        }
        return node;
    }

    private static boolean holdsJson(String text) {
        String trimmed = text.stripLeading();
        return trimmed.startsWith("{") || trimmed.startsWith("[");
    }
}
