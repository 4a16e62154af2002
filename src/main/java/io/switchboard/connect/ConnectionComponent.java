package io.switchboard.connect;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * {@code connection:<name>/<path>}: calls a configured connection from a route, e.g.
 * {@code connection:crm/contacts} with {@code method: POST}. The route names the system
 * and the path; the base URL, credentials and timeouts come from
 * {@code switchboard.connections.<name>}, so no URL or secret is written in a route. A
 * connection that is not HTTP is called the same way, without a path: {@link SystemEndpoint}.
 */
@Component("connection")
public class ConnectionComponent extends DefaultComponent {

    private final Connections connections;
    private final SystemClients systems;

    public ConnectionComponent(Connections connections, SystemClients systems) {
        this.connections = connections;
        this.systems = systems;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String trimmed = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        int slash = trimmed.indexOf('/');
        String name = slash < 0 ? trimmed : trimmed.substring(0, slash);
        String path = slash < 0 ? "" : trimmed.substring(slash + 1);
        SystemConnection system = systems.find(name);
        if (system != null) {
            if (!path.isEmpty()) {
                throw new IllegalArgumentException("Route calls '" + uri + "': connection " + name + " is of kind "
                        + system.settings().kind().label() + ", which takes no path; say what to do in its "
                        + "parameters (sql, to/subject, routingKey, fileName)");
            }
            SystemEndpoint endpoint = new SystemEndpoint(uri, this, system, systems);
            setProperties(endpoint, parameters);
            return endpoint;
        }
        Connection connection;
        try {
            connection = connections.get(name);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException("Route calls '" + uri + "': " + unknown.getMessage(), unknown);
        }
        // A toD can build the path from an event's data: refused here like a CamelHttpPath.
        ConnectionEndpoint endpoint = new ConnectionEndpoint(uri, this, connection, ConnectionPaths.checked(path));
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
