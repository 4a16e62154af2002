package io.switchboard.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.IdempotentConsumerDefinition;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ThrottleDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.ToDynamicDefinition;

/**
 * The reliability contract every integration route keeps, checked when routes load: an
 * idempotent consumer, a throttle before any call to an external system, and the shared
 * dead-letter channel (no error handler of its own). A deliberate exception is declared in
 * the integration's config under {@code contract-exceptions.<check>: <reason>}.
 */
public final class RouteContract {

    public static final String IDEMPOTENT_CONSUMER = "idempotent-consumer";
    public static final String THROTTLE = "throttle";

    private static final List<String> EXTERNAL_SCHEMES = List.of("http:", "https:", "connection:");

    private RouteContract() {
    }

    /** Thrown when a route breaks the contract; the message names the route and what to add. */
    public static class Violation extends IllegalStateException {
        public Violation(String message) {
            super(message);
        }
    }

    /** The problems of one route; empty when it keeps the contract or is no integration route. */
    public static List<String> check(RouteDefinition route, IntegrationsProperties integrations) {
        Optional<Map.Entry<String, Integration>> owner = ownerOf(route, integrations);
        if (owner.isEmpty()) {
            return List.of();
        }
        String integrationId = owner.get().getKey();
        Integration integration = owner.get().getValue();
        boolean mainRoute = isMainRoute(route, integrationId);
        List<String> problems = new ArrayList<>();
        if (integration.card() == null) {
            problems.add("integration '" + integrationId + "' has no card (switchboard.integrations." + integrationId
                    + ".card)");
        }
        if (route.getRouteConfigurationId() != null) {
            problems.add("it names route configuration '" + route.getRouteConfigurationId()
                    + "'; integration routes use the shared dead-letter channel");
        }
        if (mainRoute && !integration.contractExceptions().containsKey(IDEMPOTENT_CONSUMER)
                && !contains(route.getOutputs(), IdempotentConsumerDefinition.class)) {
            problems.add("no idempotentConsumer (add one keyed on the payload's id, with idempotentRepository: "
                    + IdempotencyRepositories.beanName(integrationId) + ")");
        }
        if (!integration.contractExceptions().containsKey(THROTTLE)) {
            String unthrottled = firstCallBeforeThrottle(route.getOutputs(), new boolean[] {false});
            if (unthrottled != null) {
                problems.add("it calls " + unthrottled + " without a throttle before it (add a throttle sized "
                        + "by the connection's rate-limit)");
            }
        }
        return problems;
    }

    /** Checks a route and throws a {@link Violation} naming it and every problem. */
    public static void enforce(RouteDefinition route, IntegrationsProperties integrations) {
        List<String> problems = check(route, integrations);
        if (!problems.isEmpty()) {
            throw new Violation("Route '" + route.getRouteId() + "' breaks the integration contract: "
                    + String.join("; ", problems)
                    + ". Declare a deliberate exception in the card under contract-exceptions with a reason.");
        }
    }

    /** The integration a route serves: the one it reads the inbox of, else the one its id names. */
    private static Optional<Map.Entry<String, Integration>> ownerOf(RouteDefinition route,
            IntegrationsProperties integrations) {
        String from = route.getInput() == null ? "" : route.getInput().getEndpointUri();
        Optional<String> owner = from.startsWith("inbox:")
                ? Optional.of(from.substring("inbox:".length()).split("\\?")[0]).filter(integrations.all()::containsKey)
                : Optional.empty();
        return owner.or(() -> integrations.ownerOfRoute(route.getRouteId()))
                .map(id -> Map.entry(id, integrations.all().get(id)));
    }

    private static boolean isMainRoute(RouteDefinition route, String integrationId) {
        String from = route.getInput() == null ? "" : route.getInput().getEndpointUri();
        return integrationId.equals(route.getRouteId()) || from.startsWith("inbox:" + integrationId);
    }

    private static boolean contains(List<ProcessorDefinition<?>> outputs, Class<?> type) {
        for (ProcessorDefinition<?> output : outputs) {
            if (type.isInstance(output) || contains(output.getOutputs(), type)) {
                return true;
            }
        }
        return false;
    }

    /** Walks the steps in order; returns the first external call reached before any throttle. */
    private static String firstCallBeforeThrottle(List<ProcessorDefinition<?>> outputs, boolean[] throttled) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof ThrottleDefinition) {
                throttled[0] = true;
            }
            String uri = callUri(output);
            if (uri != null && isExternal(uri) && !throttled[0]) {
                return uri;
            }
            String nested = firstCallBeforeThrottle(output.getOutputs(), throttled);
            if (nested != null) {
                return nested;
            }
        }
        return null;
    }

    private static String callUri(ProcessorDefinition<?> output) {
        if (output instanceof ToDefinition to) {
            return to.getEndpointUri();
        }
        if (output instanceof ToDynamicDefinition to) {
            return to.getUri();
        }
        if (output instanceof EnrichDefinition enrich) {
            return enrich.getExpression() == null ? null : enrich.getExpression().getExpression();
        }
        if (output instanceof PollEnrichDefinition enrich) {
            return enrich.getExpression() == null ? null : enrich.getExpression().getExpression();
        }
        return null;
    }

    private static boolean isExternal(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return EXTERNAL_SCHEMES.stream().anyMatch(lower::startsWith) || lower.contains("://");
    }
}
