package io.switchboard.connect;

import java.io.InputStream;
import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.switchboard.integration.RouteCalls;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;
import org.apache.camel.support.DefaultProducer;

/**
 * Sends the message to the connection: the body (JSON unless the message says otherwise)
 * to the endpoint's path, plus the {@code CamelHttpPath} and {@code CamelHttpQuery}
 * headers when set, refused when they would leave the connection's base URL
 * ({@link ConnectionPaths}). The answer replaces the body, with {@code CamelHttpResponseCode} and
 * the response headers; the request's path, query and method headers are consumed.
 */
class ConnectionProducer extends DefaultProducer {

    /** Headers the credential owns; a route cannot set or forward them. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "x-api-key");

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final ConnectionEndpoint endpoint;

    ConnectionProducer(ConnectionEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        String method = endpoint.getMethod() != null ? endpoint.getMethod()
                : message.getHeader(Exchange.HTTP_METHOD, body == null ? "GET" : "POST", String.class);
        String path = ConnectionPaths.join(endpoint.path(), message.getHeader(Exchange.HTTP_PATH, String.class));
        String query = message.getHeader(Exchange.HTTP_QUERY, String.class);
        boolean sendsBody = !method.equals("GET") && !method.equals("DELETE") && !method.equals("HEAD");
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, "application/json", String.class);
        Map<String, String> forwarded = new LinkedHashMap<>();
        for (String name : endpoint.forwardedHeaders()) {
            String value = message.getHeader(name, String.class);
            if (value != null && !CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                forwarded.put(name, value);
            }
        }
        Connection.Response response = endpoint.connection().call(exchange, new Connection.Request(method, path, query,
                sendsBody ? bytes(exchange, body) : null, contentType, forwarded));
        message.removeHeaders("CamelHttp*");
        // An earlier call's "already done" must not pass for this one's.
        message.removeHeader(RouteCalls.IDEMPOTENT_REPLAYED);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, response.status());
        response.headers().forEach(message::setHeader);
        message.setBody(response.body());
    }

    private static byte[] bytes(Exchange exchange, Object body) throws Exception {
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof String || body instanceof byte[] || body instanceof InputStream || body instanceof Reader
                || body instanceof StreamCache) {
            return exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, body);
        }
        // Maps, lists and objects (e.g. after unmarshal) go out as JSON.
        return JSON.writeValueAsBytes(body);
    }
}
