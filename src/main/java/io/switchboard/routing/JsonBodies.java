package io.switchboard.routing;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.spi.TypeConverterRegistry;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.TypeConverterSupport;
import org.springframework.stereotype.Component;

/**
 * Reads a body as JSON for jq and the routes, and writes a JSON tree back as text or bytes,
 * with the application's one {@link ObjectMapper}.
 * Camel's own converters (camel-jackson's) ask the registry for every {@code ObjectMapper} on
 * each conversion, which in Spring walks the bean definitions: about 4 % of an inbox worker's
 * CPU in the relay's profile, for a lookup whose answer never changes.
 */
@Component
class JsonBodies implements CamelContextConfiguration {

    private final ObjectMapper mapper;

    JsonBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // Camel's converters are loaded when the context starts; they are replaced after that.
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        install(camelContext.getTypeConverterRegistry(), mapper);
    }

    static void install(TypeConverterRegistry registry, ObjectMapper mapper) {
        ToJsonNode reader = new ToJsonNode(mapper);
        for (Class<?> from : new Class<?>[] {String.class, byte[].class, InputStream.class, Reader.class, Map.class}) {
            registry.removeTypeConverter(JsonNode.class, from);
            registry.addTypeConverter(JsonNode.class, from, reader);
        }
        FromJsonNode writer = new FromJsonNode(mapper);
        for (Class<?> to : new Class<?>[] {String.class, byte[].class}) {
            registry.removeTypeConverter(to, JsonNode.class);
            registry.addTypeConverter(to, JsonNode.class, writer);
        }
    }

    /** One body type to a {@link JsonNode}: parsed, or (a map) converted as a tree. */
    private static final class ToJsonNode extends TypeConverterSupport {

        private final ObjectMapper mapper;

        ToJsonNode(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        @Override
        public <T> T convertTo(Class<T> type, Exchange exchange, Object value) throws TypeConversionException {
            try {
                JsonNode tree;
                if (value instanceof String text) {
                    tree = mapper.readTree(text);
                } else if (value instanceof byte[] bytes) {
                    tree = mapper.readTree(bytes);
                } else if (value instanceof InputStream stream) {
                    tree = mapper.readTree(stream);
                } else if (value instanceof Reader reader) {
                    tree = mapper.readTree(reader);
                } else if (value instanceof Map<?, ?> map) {
                    tree = mapper.valueToTree(map);
                } else {
                    return null;
                }
                return type.cast(tree);
            } catch (Exception unreadable) {
                throw new TypeConversionException(value, type, unreadable);
            }
        }
    }

    /**
     * A {@link JsonNode} as text or bytes, as camel-jackson writes it: a JSON string node as its
     * text (a jq result such as {@code .taskId} goes into a URI or a header as {@code t_1}, not
     * {@code "t_1"}), any other node as JSON (pretty-printed as text, compact as bytes).
     */
    private static final class FromJsonNode extends TypeConverterSupport {

        private final ObjectMapper mapper;

        FromJsonNode(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        @Override
        public <T> T convertTo(Class<T> type, Exchange exchange, Object value) throws TypeConversionException {
            try {
                if (type == String.class) {
                    return type.cast(value instanceof TextNode text ? text.textValue()
                            : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value));
                }
                if (type == byte[].class) {
                    return type.cast(value instanceof TextNode text ? text.textValue().getBytes(StandardCharsets.UTF_8)
                            : mapper.writeValueAsBytes(value));
                }
                return null;
            } catch (Exception unwritable) {
                throw new TypeConversionException(value, type, unwritable);
            }
        }
    }
}
