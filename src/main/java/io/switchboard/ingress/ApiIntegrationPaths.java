package io.switchboard.ingress;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.integration.InboxHeaders;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategyAware;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * An api integration's route answers {@code /api/integrations/<id>/{param}} from Camel's own
 * handler mapping, which is consulted first and would take a platform path below it (say
 * {@code .../test-events}) for itself and refuse the request. So for those integrations such
 * a path is also mapped literally, in every handler mapping, Camel's included: a literal
 * path wins over a pattern.
 */
public final class ApiIntegrationPaths {

    private ApiIntegrationPaths() {
    }

    /**
     * Maps {@code path} (with {@code {id}}) for every api integration to {@code handler} on
     * {@code bean}; the handler finds the integration's id in the request URI.
     */
    public static void claim(List<RequestMappingHandlerMapping> mappings, IntegrationsProperties integrations,
            String path, RequestMethod method, Object bean, Method handler) {
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.API) {
                CLAIMED.add(method.name() + " " + path.replace("{id}", id));
                for (RequestMappingHandlerMapping mapping : mappings) {
                    mapping.registerMapping(RequestMappingInfo.paths(path.replace("{id}", id)).methods(method)
                            .options(mapping.getBuilderConfiguration()).build(), bean, handler);
                }
            }
        });
    }

    /** The platform's own paths below api integrations, as "METHOD /path": not the routes' to answer. */
    private static final Set<String> CLAIMED = ConcurrentHashMap.newKeySet();

    /** True when the platform maps this method and path itself (say GET .../drills), not the route. */
    public static boolean claimed(String method, String path) {
        return CLAIMED.contains(method + " " + path);
    }

    /** The integration's id in {@code /api/integrations/<id>/<suffix>}. */
    public static String idIn(String uri, String suffix) {
        return uri.substring("/api/integrations/".length(), uri.length() - suffix.length());
    }

    /**
     * What an api integration's route answered to one call: status, body, time, the error if
     * it threw, and the headers it set for the answer (Content-Type, Retry-After, ...).
     */
    public record Answer(int status, String body, long durationMs, String error, String contentType,
            Map<String, String> headers) {
    }

    /**
     * Runs the api route's steps with {@code params} as its path parameters, as a GET would,
     * without going through HTTP (the caller is inside the server, already signed in).
     */
    public static Answer call(Route route, String integration,
            JsonNode params) {
        Map<String, String> values = new LinkedHashMap<>();
        params.fields().forEachRemaining(field -> values.put(field.getKey(),
                field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString()));
        return call(route, integration, values);
    }

    /** {@link #call(org.apache.camel.Route, String, com.fasterxml.jackson.databind.JsonNode)} with the parameters as text. */
    public static Answer call(Route route, String integration, Map<String, String> params) {
        Exchange exchange = route.getEndpoint().createExchange();
        params.forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader(InboxHeaders.INTEGRATION, integration);
        long started = System.nanoTime();
        try {
            route.getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        if (exchange.getException() != null) {
            return new Answer(500, null, durationMs, exchange.getException().getClass().getSimpleName() + ": "
                    + exchange.getException().getMessage(), null, Map.of());
        }
        Message answer = exchange.getMessage();
        // The endpoint's own filter, as platform-http applies it to an answer (hop-by-hop
        // headers such as Transfer-Encoding or Connection never pass).
        HeaderFilterStrategy filter = route.getEndpoint()
                instanceof HeaderFilterStrategyAware aware ? aware.getHeaderFilterStrategy() : null;
        Map<String, String> headers = new LinkedHashMap<>();
        answer.getHeaders().forEach((name, value) -> {
            // What the route set for the answer: not Camel's or the platform's own, not what went in.
            if (value != null && !name.startsWith("Camel") && !name.startsWith("Switchboard")
                    && !params.containsKey(name) && !name.equalsIgnoreCase("Content-Type")
                    && !name.equalsIgnoreCase("Content-Length")
                    && (filter == null || !filter.applyFilterToCamelHeaders(name, value, exchange))) {
                headers.put(name, value.toString());
            }
        });
        return new Answer(answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class),
                answer.getBody(String.class), durationMs, null,
                answer.getHeader(Exchange.CONTENT_TYPE, String.class), headers);
    }
}
