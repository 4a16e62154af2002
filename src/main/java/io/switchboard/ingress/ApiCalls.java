package io.switchboard.ingress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import io.switchboard.security.ApiKeyGate;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Answers an api integration's calls made with an API key ({@code GET
 * /api/integrations/<id>/<value>}, {@code X-Api-Key} or {@code Authorization: Bearer}) ahead of
 * Spring Security and Spring MVC, as {@link WebhookEndpoint} does for webhooks: the key is
 * checked by the same {@link ApiKeyGate} the secured chain uses (any configured key may read,
 * as {@code GET /api/**} needs viewer), the route runs on this thread, and the answer carries
 * the chain's security headers. The secured chain, its handler mapping and platform-http's
 * asynchronous dispatch (the chain a second time) were most of a real-time lookup's CPU.
 *
 * <p>Only the plain case is taken here: a GET of one path segment below an api integration
 * whose route listens on {@code /api/integrations/<id>/{param}}, a segment with nothing a
 * firewall would look at twice (no {@code /}, {@code \}, {@code ;}, encoded separators or dot
 * segments), not a path the platform maps itself ({@code .../drills}). Everything else, and
 * every call signed in by a session, goes down the normal chain.
 */
@Component
class ApiCalls implements Filter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ApiCalls.class);
    private static final String PREFIX = "/api/integrations/";

    private final IntegrationsProperties integrations;
    /** Asked for at the first call: a servlet filter is made before Camel's context is ready. */
    private final ObjectProvider<CamelContext> camel;
    private final ApiKeyGate gate;
    /** Route endpoint path to its one parameter's name ("" when the route does not fit). */
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    /** Calls answered here at once, each on a request thread for up to the route's budget. */
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    static final int MAX_IN_FLIGHT = 64;

    ApiCalls(IntegrationsProperties integrations, ObjectProvider<CamelContext> camel,
            ApiKeyGate gate) {
        this.integrations = integrations;
        this.camel = camel;
        this.gate = gate;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        Call call = callOf(request);
        if (call == null) {
            chain.doFilter(req, res);
            return;
        }
        if (!inFlight.tryAcquire()) {
            // As many calls as this path runs at once on the server's request threads: the rest
            // take the normal chain, which runs the route off those threads.
            chain.doFilter(req, res);
            return;
        }
        try {
            answer(request, (HttpServletResponse) res, call);
        } finally {
            inFlight.release();
        }
    }

    private void answer(HttpServletRequest request, HttpServletResponse response, Call call) throws IOException {
        gate.writeSecurityHeaders(request, response);
        ApiKeyGate.Caller caller = gate.admit(request, response, call.key());
        if (caller == null) {
            return;
        }
        ApiIntegrationPaths.Answer answer = ApiIntegrationPaths.call(call.route(), call.integration(),
                Map.of(call.parameter(), call.value()));
        if (answer.error() != null) {
            // The route threw past its own error handling: say so without its internals.
            log.warn("api integration {} failed for {}: {}", call.integration(), caller.keyName(), answer.error());
            write(response, 500, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Internal error\","
                    + "\"status\":500,\"detail\":\"The integration failed; the server log has the cause.\"}");
            return;
        }
        answer.headers().forEach(response::setHeader);
        write(response, answer.status(), answer.contentType() == null ? "application/json" : answer.contentType(),
                answer.body());
    }

    private record Call(String integration, Route route, String parameter, String value, String key) {
    }

    /** The call this filter answers, or null for anything it leaves to the normal chain. */
    private Call callOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (!uri.startsWith(PREFIX) || !"GET".equals(request.getMethod())) {
            return null;
        }
        String key = ApiKeyGate.presentedKey(request);
        if (key == null || key.isEmpty()) {
            return null;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // A key beside another credential (HTTP Basic): the chain weighs both, lockouts included.
            return null;
        }
        int slash = uri.indexOf('/', PREFIX.length());
        if (slash < 0 || slash == uri.length() - 1) {
            return null;
        }
        String integration = uri.substring(PREFIX.length(), slash);
        String value = uri.substring(slash + 1);
        if (!plainSegment(value) || ApiIntegrationPaths.claimed("GET", uri)) {
            return null;
        }
        var configured = integrations.find(integration);
        if (configured.isEmpty() || configured.get().trigger() != Trigger.API) {
            return null;
        }
        CamelContext context = camel.getObject();
        Route route = context.getRoute(integration);
        if (route == null || !(route.getEndpoint() instanceof PlatformHttpEndpoint endpoint)) {
            return null;
        }
        ServiceStatus status = context.getRouteController().getRouteStatus(integration);
        if (status == null || !status.isStarted() || !context.getStatus().isStarted()) {
            // Stopped or suspended (Hawtio), or Camel stopping: the chain answers as the route would.
            return null;
        }
        String parameter = parameters.computeIfAbsent(endpoint.getPath(), path -> parameterOf(path, integration));
        if (parameter.isEmpty() || !allowsGet(endpoint)) {
            return null;
        }
        return new Call(integration, route, parameter, value, key);
    }

    /** {@code /api/integrations/<id>/{name}} gives {@code name}; any other shape gives "". */
    private static String parameterOf(String path, String integration) {
        String expected = PREFIX + integration + "/{";
        if (path != null && path.startsWith(expected) && path.endsWith("}")) {
            String name = path.substring(expected.length(), path.length() - 1);
            if (!name.isEmpty() && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                return name;
            }
        }
        return "";
    }

    private static boolean allowsGet(PlatformHttpEndpoint endpoint) {
        String restrict = endpoint.getHttpMethodRestrict();
        if (restrict == null || restrict.isBlank()) {
            return true;
        }
        for (String method : restrict.split(",")) {
            if (method.trim().equalsIgnoreCase("GET")) {
                return true;
            }
        }
        return false;
    }

    /** One raw path segment with nothing that StrictHttpFirewall refuses or a decoder could turn into a separator. */
    static boolean plainSegment(String segment) {
        if (segment.isEmpty() || segment.length() > 512 || segment.equals(".") || segment.equals("..")) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '/' || c == '\\' || c == ';' || c < 0x21 || c > 0x7e) {
                return false;
            }
            if (c == '%') {
                // Encoded, the same: no separators, dots, percent signs or control characters.
                int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
                int low = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 2), 16) : -1;
                int code = high < 0 || low < 0 ? -1 : high * 16 + low;
                if (code < 0x21 || code > 0x7e || code == '/' || code == '\\' || code == ';' || code == '.'
                        || code == '%') {
                    return false;
                }
            }
        }
        return true;
    }

    private static void write(HttpServletResponse response, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** Right after the server's request metrics (http.server.requests), ahead of everything else. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 2;
    }
}
