package io.switchboard.reliability;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * idempotent consumer, a throttle before any call to a system outside the platform (HTTP, a
 * database, a broker, a mail server, a folder: see {@link ExternalCalls}), every such system
 * called by {@code connection:<name>} rather than by an address or credentials in the route,
 * and the shared dead-letter channel (no error handler of its own). A deliberate exception is
 * declared in the integration's config under {@code contract-exceptions.<check>: <reason>}.
 */
public final class RouteContract {

    public static final String IDEMPOTENT_CONSUMER = "idempotent-consumer";
    public static final String THROTTLE = "throttle";
    /** The check that a route names a system's host only through a connection (credentials are never excepted). */
    public static final String RAW_ENDPOINT = "raw-endpoint";

    /** Where the platform keeps its own files: a {@code file:} call under it stays inside. */
    public static final Path DEFAULT_DATA_FOLDER = Path.of("data");

    private static final String FIX = "declare the system under switchboard.connections.<name>%s and call it as "
            + "connection:<name>";

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
        return check(route, integrations, routesFolder, DEFAULT_DATA_FOLDER);
    }

    /**
     * The problems of one route; empty when it keeps the contract.
     *
     * @param routesFolder the folder of integration route files: a route from a file there must
     *                     belong to an integration (null: no such rule)
     * @param dataFolder   the platform's own data folder: {@code file:} calls under it need no throttle
     */
    public static List<String> check(RouteDefinition route, IntegrationsProperties integrations, Path routesFolder,
            Path dataFolder) {
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
        problems.addAll(addressesInRoute(route, integration, dataFolder));
        if (!integration.contractExceptions().containsKey(THROTTLE)) {
            String unthrottled = firstCallBeforeThrottle(route.getOutputs(), new boolean[] {false}, dataFolder);
            if (unthrottled != null) {
                problems.add("it calls " + ExternalCalls.blotted(unthrottled) + " without a throttle before it (add one "
                        + "before the first call: " + throttleAdvice(route) + ")");
            }
        }
        return problems;
    }

    /**
     * {@code {{rate:<route>}}} takes its number from the connections the route calls: the advice
     * names it only where there is one, else a number (a route that calls no connection has no rate
     * to take, and the placeholder would refuse it).
     */
    private static String throttleAdvice(RouteDefinition route) {
        if (!RouteCalls.connections(route).isEmpty()) {
            return "throttle: {constant: \"{{rate:" + route.getRouteId() + "}}\", mode: TotalRequests}, the rate of "
                    + "the slowest connection the route calls";
        }
        return "throttle: {constant: \"10\", mode: TotalRequests}, 10 being the calls per second the system takes; "
                + "{{rate:" + route.getRouteId() + "}} works once the route calls the system as connection:<name>";
    }

    /**
     * Each call (and a route file's {@code from}) that names a system's host or credentials: one
     * problem per endpoint, with the endpoint blotted and the connection to declare instead.
     */
    private static List<String> addressesInRoute(RouteDefinition route, Integration integration, Path dataFolder) {
        List<String> problems = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        collectCalls(route.getOutputs(), endpoints);
        // A route built by the platform in Java (a trigger's source) reads its address from the
        // connection's config; a route file's own from: is the author's and is checked.
        String from = route.getResource() != null && route.getInput() != null ? route.getInput().getEndpointUri() : null;
        if (from != null) {
            endpoints.add(0, from);
        }
        boolean hostsExcepted = integration.contractExceptions().containsKey(RAW_ENDPOINT);
        for (String uri : endpoints) {
            List<String> embedded = new ArrayList<>(ExternalCalls.embedded(uri, dataFolder));
            if (hostsExcepted) {
                embedded.remove("a host");
            }
            if (embedded.isEmpty()) {
                continue;
            }
            String kind = ExternalCalls.connectionKind(uri);
            String verb = uri.equals(from) ? "it starts from " : "it calls ";
            problems.add(verb + ExternalCalls.blotted(uri) + ", which names " + String.join(" and ", embedded)
                    + " in the route: " + FIX.formatted(kind == null ? "" : " (kind: " + kind
                    + ", its address, and username and password as ${PLACEHOLDERS})"));
        }
        return problems;
    }

    private static void collectCalls(List<ProcessorDefinition<?>> outputs, List<String> uris) {
        for (ProcessorDefinition<?> output : outputs) {
            String uri = RouteCalls.callUri(output);
            if (uri != null) {
                uris.add(uri);
            }
            collectCalls(output.getOutputs(), uris);
        }
    }

    /** Checks a route and throws a {@link Violation} naming it and every problem. */
    public static void enforce(RouteDefinition route, IntegrationsProperties integrations, Path routesFolder) {
        enforce(route, integrations, routesFolder, DEFAULT_DATA_FOLDER);
    }

    /** Checks a route and throws a {@link Violation} naming it and every problem. */
    public static void enforce(RouteDefinition route, IntegrationsProperties integrations, Path routesFolder,
            Path dataFolder) {
        List<String> problems = check(route, integrations, routesFolder, dataFolder);
        if (!problems.isEmpty()) {
            String name = route.hasCustomIdAssigned() ? "Route '" + route.getRouteId() + "'"
                    : "The route in " + (route.getResource() == null ? "an unnamed source" : route.getResource().getLocation());
            throw new Violation(name + " breaks the integration contract: "
                    + String.join("; ", problems)
                    + ". Declare a deliberate exception in the card under contract-exceptions with a reason"
                    + " (credentials in a route have none).");
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

    /** Walks the steps in order; returns the first call outside the platform reached before any throttle. */
    private static String firstCallBeforeThrottle(List<ProcessorDefinition<?>> outputs, boolean[] throttled,
            Path dataFolder) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof ThrottleDefinition) {
                throttled[0] = true;
            }
            String uri = RouteCalls.callUri(output);
            if (uri != null && ExternalCalls.leavesThePlatform(uri, dataFolder) && !throttled[0]) {
                return uri;
            }
            String nested = firstCallBeforeThrottle(output.getOutputs(), throttled, dataFolder);
            if (nested != null) {
                return nested;
            }
        }
        return null;
    }
}
