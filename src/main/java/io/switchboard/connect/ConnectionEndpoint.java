package io.switchboard.connect;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A path on a connection, e.g. {@code connection:crm/contacts}. Options: {@code method}
 * (default: the {@code CamelHttpMethod} header, else POST with a body and GET without) and
 * {@code headers}, the message headers to send along (comma-separated, e.g.
 * {@code Idempotency-Key}); no other message header leaves the server.
 */
public class ConnectionEndpoint extends DefaultEndpoint {

    private final Connection connection;
    private final String path;
    private String method;
    private String headers;

    ConnectionEndpoint(String uri, ConnectionComponent component, Connection connection, String path) {
        super(uri, component);
        this.connection = connection;
        this.path = path;
    }

    @Override
    public Producer createProducer() {
        return new ConnectionProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("connection:" + connection.name()
                + " only calls a system; use inbox: or a schedule to start a route");
    }

    Connection connection() {
        return connection;
    }

    String path() {
        return path;
    }

    /** HTTP method: GET, POST, PUT, PATCH or DELETE. */
    public String getMethod() {
        return method;
    }

    public void setMethod(String method) {
        this.method = method == null ? null : method.toUpperCase(Locale.ROOT);
    }

    /** Message headers sent along as HTTP headers, comma-separated. */
    public String getHeaders() {
        return headers;
    }

    public void setHeaders(String headers) {
        this.headers = headers;
    }

    List<String> forwardedHeaders() {
        return headers == null ? List.of()
                : Arrays.stream(headers.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
    }
}
