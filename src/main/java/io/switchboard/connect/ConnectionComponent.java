package io.switchboard.connect;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.URISupport;
import org.springframework.stereotype.Component;

/**
 * {@code connection:<name>/<path>}: calls a configured connection from a route, e.g.
 * {@code connection:crm/contacts} with {@code method: POST}. The route names the system
 * and the path; the base URL, credentials and timeouts come from
 * {@code switchboard.connections.<name>}, so no URL or secret is written in a route. A
 * connection that is not HTTP is called the same way, without a path: {@link SystemEndpoint}.
 * <p>
 * Options reach the endpoint as written, neither URL-decoded nor re-encoded: the YAML DSL joins a
 * route's {@code parameters} into the URI unencoded, and Camel's usual decoding then turned the
 * {@code +} of {@code sql: update t set n = n + 1} into a space and garbled a {@code %}. Only an
 * option holding {@code &} needs {@code RAW(...)}.
 */
@Component("connection")
public class ConnectionComponent extends DefaultComponent {

    private final Connections connections;
    private final SystemClients systems;

    public ConnectionComponent(Connections connections, SystemClients systems) {
        this.connections = connections;
        this.systems = systems;
    }

    /** Hands {@link #createEndpoint} the URI as the route wrote it, so no option is decoded. */
    @Override
    public boolean useRawUri() {
        return true;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        asWritten(uri, parameters);
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

    /**
     * Camel passes a raw URI's options still escaped for {@code java.net.URI} (a space as
     * {@code %20}, yet {@code %ab} left alone, so no decoding undoes it exactly): each option is
     * read again from the URI string itself, {@code RAW(...)} unwrapped.
     */
    private static void asWritten(String uri, Map<String, Object> parameters) throws Exception {
        int query = uri.indexOf('?');
        if (query < 0 || parameters.isEmpty()) {
            return;
        }
        Map<String, Object> written = URISupport.parseQuery(uri.substring(query + 1), true);
        URISupport.resolveRawParameterValues(written);
        parameters.replaceAll((option, value) -> written.getOrDefault(option, value));
    }
}
