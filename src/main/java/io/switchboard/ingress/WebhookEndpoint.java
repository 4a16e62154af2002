package io.switchboard.ingress;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * {@code POST /webhooks/{integration}}: 202 with the new event's id once it is committed,
 * 200 with the first event's id for a repeated delivery, and a problem document saying
 * what to fix otherwise. Never 2xx for an event that is not stored.
 *
 * <p>It answers as the first servlet filter, ahead of Spring Security and Spring MVC. A
 * webhook is authenticated by its signature or API key here, not by a login, and the
 * generic web stack (security filter chain, handler mapping, observations) cost more CPU
 * per request than checking, parsing and storing the event. Any other method or path
 * goes on down the normal chain, where it needs a login.
 */
@Component
class WebhookEndpoint implements Filter, Ordered {

    static final String PREFIX = "/webhooks/";

    private static final Logger log = LoggerFactory.getLogger(WebhookEndpoint.class);

    private final WebhookIngress ingress;
    private final ObjectMapper json;

    WebhookEndpoint(WebhookIngress ingress, ObjectMapper json) {
        this.ingress = ingress;
        this.json = json;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String integration = integrationOf(request);
        if (integration == null) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletResponse response = (HttpServletResponse) res;
        try {
            WebhookIngress.Receipt receipt = ingress.receive(integration, request.getContentType(),
                    request.getContentLengthLong(), headersOf(request), request.getInputStream());
            // The id is a UUID the server made, so the answer needs no JSON escaping.
            String body = "{\"eventId\":\"" + receipt.eventId() + (receipt.duplicate() ? "\",\"duplicate\":true}" : "\"}");
            write(response, receipt.duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED, MediaType.APPLICATION_JSON_VALUE,
                    body.getBytes(StandardCharsets.US_ASCII));
        } catch (WebhookRejection rejection) {
            if (rejection.retryAfter() != null) {
                response.setHeader("Retry-After", Long.toString(rejection.retryAfter().toSeconds()));
            }
            problem(request, response, rejection.status(), rejection.title(), rejection.getMessage());
        } catch (DataAccessException | TransactionException failure) {
            // The sender must retry: without a commit we hold nothing, so no 2xx.
            log.error("webhook for {} not stored, answered 503: {}", request.getRequestURI(), failure.toString());
            response.setHeader("Retry-After", "30");
            problem(request, response, HttpStatus.SERVICE_UNAVAILABLE, "Storage unavailable",
                    "The event could not be stored right now and was not accepted; retry later.");
        }
    }

    /** The integration id of a {@code POST /webhooks/{integration}}, or null for any other request. */
    private static String integrationOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (!"POST".equals(request.getMethod()) || !uri.startsWith(PREFIX)) {
            return null;
        }
        String id = uri.substring(PREFIX.length());
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }

    private static Map<String, String> headersOf(HttpServletRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements();) {
            String name = names.nextElement();
            headers.put(name, request.getHeader(name));
        }
        return headers;
    }

    private void problem(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title,
            String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setInstance(URI.create(request.getRequestURI()));
        write(response, status, MediaType.APPLICATION_PROBLEM_JSON_VALUE, json.writeValueAsBytes(problem));
    }

    private static void write(HttpServletResponse response, HttpStatus status, String contentType, byte[] bytes)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
