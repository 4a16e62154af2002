package io.switchboard.security;

import java.util.Locale;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.management.DefaultManagementObjectStrategy;
import org.apache.camel.management.mbean.ManagedCamelContext;
import org.apache.camel.util.URISupport;

/**
 * The CamelContext MBean as Hawtio and Jolokia see it: its send and request operations (Hawtio's
 * "send message") reach a route's own input endpoint and nothing else. The stock MBean resolves
 * whatever URI it is given, so {@code language:simple:${sysenv.X}}, {@code language:simple:resource:file:...}
 * or {@code ${bean:jdbcTemplate...}} handed every environment variable, placeholder, file and table
 * to whoever held an admin's Hawtio session.
 * <p>
 * An allow-list, not a deny-list: the URI given is only compared with the routes' input endpoints
 * and never resolved, and the message goes to the route's own {@link Endpoint} object. Camel's own
 * headers ({@code Camel*}, such as {@code CamelHttpUri} or {@code CamelBeanMethodName}) steer the
 * components a route calls and are refused. New endpoints cannot be made through JMX at all, and
 * the route dumps never resolve placeholders (they would show the secrets in them).
 */
public final class RouteInputSends extends ManagedCamelContext {

    private final CamelContext context;

    RouteInputSends(CamelContext context) {
        super(context);
        this.context = context;
    }

    /** Puts this MBean in place of Camel's; call before the context starts (it registers the MBean then). */
    static void install(CamelContext context) {
        context.getManagementStrategy().setManagementObjectStrategy(new DefaultManagementObjectStrategy() {
            @Override
            public Object getManagedObjectForCamelContext(CamelContext camelContext) {
                RouteInputSends managed = new RouteInputSends(camelContext);
                managed.init(camelContext.getManagementStrategy());
                return managed;
            }
        });
    }

    @Override
    public boolean canSendToEndpoint(String endpointUri) {
        Endpoint input = routeInput(endpointUri);
        if (input == null) {
            return false;
        }
        try (Producer producer = input.createProducer()) {
            return producer != null;
        } catch (Exception noProducer) {
            return false; // platform-http, quartz and the like only consume
        }
    }

    @Override
    public void sendBody(String endpointUri, Object body) throws Exception {
        Endpoint input = requireRouteInput(endpointUri);
        try (ProducerTemplate template = context.createProducerTemplate()) {
            template.sendBody(input, body);
        }
    }

    @Override
    public void sendStringBody(String endpointUri, String body) throws Exception {
        sendBody(endpointUri, body);
    }

    @Override
    public void sendBodyAndHeaders(String endpointUri, Object body, Map<String, Object> headers) throws Exception {
        Endpoint input = requireRouteInput(endpointUri);
        requireOwnHeaders(headers);
        try (ProducerTemplate template = context.createProducerTemplate()) {
            template.sendBodyAndHeaders(input, body, headers);
        }
    }

    @Override
    public Object requestBody(String endpointUri, Object body) throws Exception {
        Endpoint input = requireRouteInput(endpointUri);
        try (ProducerTemplate template = context.createProducerTemplate()) {
            return template.requestBody(input, body);
        }
    }

    @Override
    public Object requestStringBody(String endpointUri, String body) throws Exception {
        return requestBody(endpointUri, body);
    }

    @Override
    public Object requestBodyAndHeaders(String endpointUri, Object body, Map<String, Object> headers) throws Exception {
        Endpoint input = requireRouteInput(endpointUri);
        requireOwnHeaders(headers);
        try (ProducerTemplate template = context.createProducerTemplate()) {
            return template.requestBodyAndHeaders(input, body, headers);
        }
    }

    @Override
    public boolean createEndpoint(String uri) {
        throw new SecurityException("Endpoints are not created through JMX; a route's input takes test messages.");
    }

    @Override
    public String dumpRestsAsXml(boolean resolvePlaceholders) throws Exception {
        return super.dumpRestsAsXml(false);
    }

    @Override
    public String dumpRoutesAsXml(boolean resolvePlaceholders) throws Exception {
        return super.dumpRoutesAsXml(false);
    }

    @Override
    public String dumpRoutesAsXml(boolean resolvePlaceholders, boolean generatedIds) throws Exception {
        return super.dumpRoutesAsXml(false, generatedIds);
    }

    @Override
    public String dumpRoutesAsXml(boolean resolvePlaceholders, boolean generatedIds, boolean sourceLocation)
            throws Exception {
        return super.dumpRoutesAsXml(false, generatedIds, sourceLocation);
    }

    @Override
    public String dumpRoutesAsYaml(boolean resolvePlaceholders) throws Exception {
        return super.dumpRoutesAsYaml(false);
    }

    @Override
    public String dumpRoutesAsYaml(boolean resolvePlaceholders, boolean uriAsParameters) throws Exception {
        return super.dumpRoutesAsYaml(false, uriAsParameters);
    }

    @Override
    public String dumpRoutesAsYaml(boolean resolvePlaceholders, boolean uriAsParameters, boolean generatedIds)
            throws Exception {
        return super.dumpRoutesAsYaml(false, uriAsParameters, generatedIds);
    }

    @Override
    public String dumpRoutesAsYaml(boolean resolvePlaceholders, boolean uriAsParameters, boolean generatedIds,
            boolean sourceLocation) throws Exception {
        return super.dumpRoutesAsYaml(false, uriAsParameters, generatedIds, sourceLocation);
    }

    private Endpoint requireRouteInput(String endpointUri) {
        Endpoint input = routeInput(endpointUri);
        if (input == null) {
            throw new SecurityException("Test messages go to a route's own input endpoint only.");
        }
        return input;
    }

    /** The input endpoint of a route that the URI names, compared as text; the URI itself is never resolved. */
    private Endpoint routeInput(String endpointUri) {
        if (endpointUri == null || endpointUri.isBlank()) {
            return null;
        }
        String wanted = normalized(endpointUri.trim());
        for (Route route : context.getRoutes()) {
            Endpoint input = route.getEndpoint();
            if (input != null && wanted != null && wanted.equals(normalized(input.getEndpointUri()))) {
                return input;
            }
        }
        return null;
    }

    private static String normalized(String uri) {
        try {
            return URISupport.normalizeUri(uri);
        } catch (Exception notAnEndpointUri) {
            return null;
        }
    }

    private static void requireOwnHeaders(Map<String, Object> headers) {
        if (headers == null) {
            return;
        }
        for (String name : headers.keySet()) {
            if (name == null || name.toLowerCase(Locale.ROOT).startsWith("camel")) {
                throw new SecurityException("Camel's own headers (Camel*) steer the components a route calls; "
                        + "a test message may not carry them.");
            }
        }
    }
}
