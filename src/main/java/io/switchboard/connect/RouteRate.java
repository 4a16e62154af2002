package io.switchboard.connect;

import java.util.Set;

import io.switchboard.integration.RouteCalls;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesFunction;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The placeholder {@code {{rate:<route-id>}}}: the lowest {@code rate-limit} among the
 * connections that route calls, for the one throttle at the top of a route. The route then
 * never takes more events per second than its slowest system allows, and each connection's
 * own limiter ({@link ConnectionLimiter}, shared among the nodes) spaces every single call,
 * so a route needs one throttle, not one per call.
 *
 * <p>The value is capped at {@value #MAX_THROTTLE} per second. Camel's throttler holds one
 * permit object per request of its rate (a {@code rate-limit} of 1,000,000 filled a 256 MB
 * heap); above the cap the throttle would protect nothing the connections' own limiters do
 * not, and those are token buckets of constant size, however high the rate.
 */
@Component
class RouteRate implements PropertiesFunction, CamelContextConfiguration {

    /** The highest rate a route throttle is given (permits per second it keeps in memory). */
    static final long MAX_THROTTLE = 10_000;

    private static final Logger log = LoggerFactory.getLogger(RouteRate.class);

    private final ConnectionsProperties connections;
    private CamelContext camel;

    @Autowired
    RouteRate(ConnectionsProperties connections) {
        this.connections = connections;
    }

    /** For a test: the placeholder against {@code camel}'s routes. */
    RouteRate(ConnectionsProperties connections, CamelContext camel) {
        this.connections = connections;
        this.camel = camel;
    }

    @Override
    public String getName() {
        return "rate";
    }

    @Override
    public String apply(String routeId) {
        String id = routeId.trim();
        RouteDefinition route = camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(id);
        if (route == null) {
            throw new IllegalArgumentException("{{rate:" + id + "}} names no route: use the id of the route the "
                    + "throttle is in");
        }
        Set<String> called = RouteCalls.connections(route);
        double slowest = Double.MAX_VALUE;
        for (String name : called) {
            ConnectionsProperties.Connection connection = connections.connections().get(name);
            if (connection == null) {
                throw new IllegalArgumentException("route '" + id + "' calls connection '" + name
                        + "', which is not configured under switchboard.connections");
            }
            if (connection.rateLimit() > 0) {
                slowest = Math.min(slowest, connection.rateLimit());
            }
        }
        if (slowest == Double.MAX_VALUE) {
            throw new IllegalArgumentException("{{rate:" + id + "}}: route '" + id + "' calls "
                    + (called.isEmpty() ? "no connection" : "no connection with a rate-limit " + called)
                    + "; size its throttle with a number, or set switchboard.connections.<name>.rate-limit");
        }
        long rate = Math.max(1, (long) Math.floor(slowest));
        if (rate > MAX_THROTTLE) {
            log.info("route {}: its throttle takes {}/s, not the {}/s its slowest connection allows: a throttle keeps "
                    + "one permit per request of its rate in memory; the connections' own limiters still space every "
                    + "call at their rate", id, MAX_THROTTLE, rate);
            rate = MAX_THROTTLE;
        }
        return Long.toString(rate);
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        this.camel = camelContext;
        camelContext.getPropertiesComponent().addPropertiesFunction(this);
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // resolved as routes are created
    }
}
