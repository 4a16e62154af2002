package io.switchboard.source;

/**
 * What every source route of the platform shares: its id. A source route is the platform's, not
 * the integration's: {@code source-<integration>}, so the route contract (which checks the routes
 * an integration owns) and a reload of the integration's route file leave it alone.
 */
public final class SourceRoutes {

    private SourceRoutes() {
    }

    public static String routeId(String integration) {
        return "source-" + integration;
    }
}
