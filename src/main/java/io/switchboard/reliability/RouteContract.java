package io.switchboard.reliability;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import org.apache.camel.model.IdempotentConsumerDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ThrottleDefinition;

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

    /** The problems of one route; empty when it keeps the contract. Routes outside a routes folder need no card. */
    public static List<String> check(RouteDefinition route, IntegrationsProperties integrations) {
        return check(route, integrations, null);
    }

    /**
     * The problems of one route; empty when it keeps the contract.
     *
     * @param routesFolder the folder of integration route files: a route from a file there must
     *                     belong to an integration (null: no such rule)
     */
    public static List<String> check(RouteDefinition route, IntegrationsProperties integrations, Path routesFolder) {
        Optional<Map.Entry<String, Integration>> owner = ownerOf(route, integrations);
        List<String> fileProblems = new ArrayList<>();
        String file = route.getResource() == null ? null : route.getResource().getLocation();
        if (file != null && !route.hasCustomIdAssigned()) {
            // Camel makes one up (route1...), a new one on every reload: the old copy would keep running.
            fileProblems.add("the route in " + file + " has no id: give it one (route: id: <integration> for the "
                    + "integration's main route, <integration>-<purpose> for a helper route)");
        }
        if (file != null && inFolder(file, routesFolder) && owner.isEmpty()) {
            String id = integrationOfFile(file);
            fileProblems.add("it belongs to no integration: add its card as " + routesFolder.resolve(id + ".card.yaml")
                    + " (trigger, card: description, owner...; or under switchboard.integrations." + id
                    + " in config/), or name the route <integration>-<purpose> to make it a helper route of an "
                    + "existing integration");
        }
        if (owner.isEmpty()) {
            return fileProblems;
        }
        String integrationId = owner.get().getKey();
        Integration integration = owner.get().getValue();
        boolean mainRoute = isMainRoute(route, integrationId, integration);
        List<String> problems = new ArrayList<>(fileProblems);
        if (integration.card() == null) {
            problems.add("integration '" + integrationId + "' has no card (card: in " + integrationId
                    + ".card.yaml, or switchboard.integrations." + integrationId + ".card in config/)");
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
                problems.add("it calls " + unthrottled + " without a throttle before it (add one before the "
                        + "first call: throttle: {constant: \"{{rate:" + route.getRouteId()
                        + "}}\", mode: TotalRequests}, the rate of the slowest connection the route calls)");
            }
        }
        return problems;
    }

    /** Checks a route and throws a {@link Violation} naming it and every problem. */
    public static void enforce(RouteDefinition route, IntegrationsProperties integrations, Path routesFolder) {
        List<String> problems = check(route, integrations, routesFolder);
        if (!problems.isEmpty()) {
            String name = route.hasCustomIdAssigned() ? "Route '" + route.getRouteId() + "'"
                    : "The route in " + (route.getResource() == null ? "an unnamed source" : route.getResource().getLocation());
            throw new Violation(name + " breaks the integration contract: "
                    + String.join("; ", problems)
                    + ". Declare a deliberate exception in the card under contract-exceptions with a reason.");
        }
    }

    /** The integration a route file is for: its name without {@code .camel.yaml} ({@code churn-watch}, whatever its routes' ids). */
    static String integrationOfFile(String location) {
        String name = location.substring(location.lastIndexOf('/') + 1);
        int suffix = name.indexOf('.');
        return suffix > 0 ? name.substring(0, suffix) : name;
    }

    private static boolean inFolder(String location, Path folder) {
        if (folder == null || !location.startsWith("file:")) {
            return false;
        }
        try {
            Path parent = Path.of(location.substring("file:".length())).toAbsolutePath().normalize().getParent();
            return folder.toAbsolutePath().normalize().equals(parent);
        } catch (InvalidPathException notAPath) {
            return false;
        }
    }

    /** The integration a route serves: the one it reads the inbox of, else the one its id names. */
    public static Optional<String> owner(RouteDefinition route, IntegrationsProperties integrations) {
        return ownerOf(route, integrations).map(Map.Entry::getKey);
    }

    private static Optional<Map.Entry<String, Integration>> ownerOf(RouteDefinition route,
            IntegrationsProperties integrations) {
        String from = route.getInput() == null ? "" : route.getInput().getEndpointUri();
        Optional<String> owner = from.startsWith("inbox:")
                ? Optional.of(from.substring("inbox:".length()).split("\\?")[0]).filter(integrations.all()::containsKey)
                : Optional.empty();
        return owner.or(() -> integrations.ownerOfRoute(route.getRouteId()))
                .map(id -> Map.entry(id, integrations.all().get(id)));
    }

    /**
     * The integration's own route: the one named after it, or the one its inbox starts.
     * A schedule's inbox starts the platform's {@code <id>-runs} route, which only hands the
     * run to the integration's route ({@code direct:<id>}): that one keeps the contract.
     */
    private static boolean isMainRoute(RouteDefinition route, String integrationId, Integration integration) {
        String from = route.getInput() == null ? "" : route.getInput().getEndpointUri();
        return integrationId.equals(route.getRouteId()) || (integration.trigger() != Trigger.SCHEDULE
                && from.startsWith("inbox:" + integrationId));
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
            String uri = RouteCalls.callUri(output);
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

    private static boolean isExternal(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return EXTERNAL_SCHEMES.stream().anyMatch(lower::startsWith) || lower.contains("://");
    }
}
