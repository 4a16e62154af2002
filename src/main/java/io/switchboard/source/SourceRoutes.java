package io.switchboard.source;

/**
 * What every source route of the platform shares: its id. A source route is the platform's, not
 * the integration's: {@code source-<integration>}, so the route contract (which checks the routes
 * an integration owns) and a reload of the integration's route file leave it alone.
 * <p>
 * A source route must declare {@code errorHandler(noErrorHandler())} in its builder: otherwise the
 * shared dead-letter channel (a route configuration without an id, applied to every route that
 * names no error handler) would mark a failed store handled, and the component would acknowledge
 * an item that was never stored (camel-file moves a "handled" file to its done folder).
 */
public final class SourceRoutes {

    private SourceRoutes() {
    }

    public static String routeId(String integration) {
        return "source-" + integration;
    }
}
