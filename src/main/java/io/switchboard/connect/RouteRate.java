package io.switchboard.connect;

import java.util.Set;

import io.switchboard.integration.RouteCalls;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesFunction;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

/**
 * The placeholder {@code {{rate:<route-id>}}}: the lowest {@code rate-limit} among the
 * connections that route calls, for the one throttle at the top of a route. The route then
 * never takes more events per second than its slowest system allows, and each connection's
 * own limiter ({@link ConnectionLimiter}, shared among the nodes) spaces every single call,
 * so a route needs one throttle, not one per call.
 */
@Component
class RouteRate implements PropertiesFunction, CamelContextConfiguration {

    private final ConnectionsProperties connections;
    private CamelContext camel;

    RouteRate(ConnectionsProperties connections) {
        this.connections = connections;
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
        return Long.toString(Math.max(1, (long) Math.floor(slowest)));
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
