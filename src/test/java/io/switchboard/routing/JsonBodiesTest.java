package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultRegistry;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

    @Test
    void jqReadsTheBodyWithoutAskingTheRegistryForAnObjectMapperEachTime() throws Exception {
        CountingRegistry registry = new CountingRegistry();
        registry.bind("mapper", new ObjectMapper());
        try (DefaultCamelContext camel = new DefaultCamelContext(registry)) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:map").routeId("map").transform().jq("{name: .first + \" \" + .last}");
                }
            });
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            String lead = "{\"first\":\"Ada\",\"last\":\"Lovelace\"}";

            for (int i = 0; i < 50; i++) {
                template.requestBody("direct:map", lead);
            }
            int camelsOwn = registry.mapperLookups.getAndSet(0);

            JsonBodies.install(camel.getTypeConverterRegistry(), new ObjectMapper());
            Object mapped = null;
            for (int i = 0; i < 50; i++) {
                mapped = template.requestBody("direct:map", lead);
            }

            assertThat(camelsOwn).as("camel-jackson's converter looks the mapper up per conversion").isGreaterThanOrEqualTo(50);
            assertThat(registry.mapperLookups.get()).isZero();
            assertThat(camel.getTypeConverter().convertTo(JsonNode.class, mapped).get("name").asText()).isEqualTo("Ada Lovelace");
        }
    }

    @Test
    void everyBodyKindTheRoutesCarryBecomesTheSameTree() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            JsonBodies.install(camel.getTypeConverterRegistry(), new ObjectMapper());
            String json = "{\"email\":\"ada@example.com\",\"tags\":[\"urgent\"]}";
            JsonNode expected = new ObjectMapper().readTree(json);

            assertThat(camel.getTypeConverter().mandatoryConvertTo(JsonNode.class, json)).isEqualTo(expected);
            assertThat(camel.getTypeConverter().mandatoryConvertTo(JsonNode.class, json.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(expected);
            assertThat(camel.getTypeConverter().mandatoryConvertTo(JsonNode.class,
                    Map.of("email", "ada@example.com", "tags", List.of("urgent")))).isEqualTo(expected);
            assertThat(new ObjectMapper().readTree(camel.getTypeConverter().mandatoryConvertTo(String.class, expected)))
                    .isEqualTo(expected);
            assertThat(camel.getTypeConverter().mandatoryConvertTo(byte[].class, expected))
                    .isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aJsonStringGoesIntoUrisAndHeadersAsItsTextAsCamelWritesIt() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            TextNode taskId = TextNode.valueOf("t_1 & more");
            String camelsOwn = camel.getTypeConverter().mandatoryConvertTo(String.class, taskId);

            JsonBodies.install(camel.getTypeConverterRegistry(), new ObjectMapper());

            assertThat(camel.getTypeConverter().mandatoryConvertTo(String.class, taskId)).isEqualTo(camelsOwn)
                    .isEqualTo("t_1 & more");
            assertThat(camel.getTypeConverter().mandatoryConvertTo(byte[].class, taskId))
                    .isEqualTo("t_1 & more".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A registry that counts how often something asks it for every ObjectMapper. */
    private static final class CountingRegistry extends DefaultRegistry {

        final AtomicInteger mapperLookups = new AtomicInteger();

        @Override
        public <T> Set<T> findByType(Class<T> type) {
            if (type == ObjectMapper.class) {
                mapperLookups.incrementAndGet();
            }
            return super.findByType(type);
        }
    }
}
