package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * In front of every simulated system: injected faults first (a delay, then maybe a status
 * instead of the real answer), then the CRM's rate limit (429 with Retry-After). The
 * server's admin passes untouched, so looking at the state never disturbs it.
 */
@SandboxEnabled
@Component
class SandboxGate implements HandlerInterceptor {

    private final SandboxFaults faults;
    private final SandboxRateLimit rateLimit;
    private final ObjectMapper json;

    SandboxGate(SandboxFaults faults, SandboxRateLimit rateLimit, ObjectMapper json) {
        this.faults = faults;
        this.rateLimit = rateLimit;
        this.json = json;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        String system = systemOf(request.getRequestURI());
        if (system == null || SandboxAccess.isAdmin()) {
            return true;
        }
        Optional<SandboxFaults.Fault> fault = faults.take(system, text -> mentions(request, text));
        if (fault.isPresent()) {
            if (fault.get().delayMs() > 0) {
                Thread.sleep(fault.get().delayMs());
            }
            if (fault.get().status() != null) {
                answerFault(fault.get(), response);
                return false;
            }
        }
        if ("crm".equals(system)) {
            Duration wait = rateLimit.tryPass();
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                write(response, 429, Map.of("Retry-After", Long.toString(seconds)), Map.of("error", "rate_limited",
                        "message", "At most " + rateLimit.current() + " requests per second; retry after "
                                + seconds + "s"));
                return false;
            }
        }
        return true;
    }

    /** Whether the call carries {@code text} in its query or its body (read again: {@link SandboxTraffic} buffered it). */
    private static boolean mentions(HttpServletRequest request, String text) {
        if (request.getQueryString() != null && request.getQueryString().contains(text)) {
            return true;
        }
        if ("GET".equals(request.getMethod()) || "oauth".equals(systemOf(request.getRequestURI()))) {
            return false; // no body, or a form the token endpoint must still read
        }
        try {
            return new String(request.getInputStream().readNBytes(1024 * 1024), StandardCharsets.UTF_8)
                    .contains(text);
        } catch (IOException | IllegalStateException unreadable) {
            return false;
        }
    }

    static String systemOf(String uri) {
        if (!uri.startsWith("/sandbox/")) {
            return null;
        }
        String rest = uri.substring("/sandbox/".length());
        int slash = rest.indexOf('/');
        String system = slash < 0 ? rest : rest.substring(0, slash);
        return SandboxFaults.SYSTEMS.contains(system) ? system : null;
    }

    private void answerFault(SandboxFaults.Fault fault, HttpServletResponse response) throws IOException {
        int status = fault.status();
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, Object> body = new LinkedHashMap<>();
        if (fault.retryAfter() != null) {
            headers.put("Retry-After", Integer.toString(fault.retryAfter()));
        } else if (status == 429) {
            headers.put("Retry-After", "1");
        }
        if (status == 401) {
            body.put("error", "invalid_token");
            headers.put("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"injected fault\"");
        } else if (status == 403) {
            body.put("error", "insufficient_scope");
            if (fault.scope() != null) {
                body.put("scope", fault.scope());
                headers.put("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + fault.scope() + "\"");
            }
        } else if (status == 429) {
            body.put("error", "rate_limited");
        } else {
            body.put("error", "injected_fault");
        }
        body.put("message", "Injected fault " + fault.id() + " (POST /sandbox/faults)");
        write(response, status, headers, body);
    }

    private void write(HttpServletResponse response, int status, Map<String, String> headers, Map<String, ?> body)
            throws IOException {
        response.setStatus(status);
        headers.forEach(response::setHeader);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
