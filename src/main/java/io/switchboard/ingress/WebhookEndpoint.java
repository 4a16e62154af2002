package io.switchboard.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
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
        String client = request.getRemoteAddr();
        long limit;
        try {
            limit = ingress.admit(integration, client, request.getContentLengthLong());
        } catch (WebhookRejection rejection) {
            // Refused before its body was read: the server closes the connection rather than
            // wait for the rest (server.tomcat.max-swallow-size: 0), whoever refused it.
            refuse(request, response, rejection);
            return;
        }
        if (request.isAsyncSupported()) {
            new AsyncBody(request, response, integration, client, limit).start();
            return;
        }
        byte[] raw;
        try {
            raw = BoundedBody.read(request.getInputStream(), request.getContentLengthLong(), limit);
        } catch (WebhookRejection rejection) {
            ingress.refusedBeforeAuthentication(client);
            refuse(request, response, rejection);
            return;
        }
        handle(request, response, integration, client, raw);
    }

    /** Authenticates, checks and stores a delivery whose body has been read, and answers the sender. */
    private void handle(HttpServletRequest request, HttpServletResponse response, String integration, String client,
            byte[] raw) throws IOException {
        try {
            WebhookIngress.Receipt receipt = ingress.receive(integration, client, request.getContentType(),
                    headersOf(request), raw);
            // The id is a UUID the server made, so the answer needs no JSON escaping.
            String body = "{\"eventId\":\"" + receipt.eventId() + (receipt.duplicate() ? "\",\"duplicate\":true}" : "\"}");
            write(response, receipt.duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED, MediaType.APPLICATION_JSON_VALUE,
                    body.getBytes(StandardCharsets.US_ASCII));
        } catch (WebhookRejection rejection) {
            refuse(request, response, rejection);
        } catch (DataAccessException | TransactionException failure) {
            // The sender must retry: without a commit we hold nothing, so no 2xx.
            log.error("webhook for {} not stored, answered 503: {}", request.getRequestURI(), failure.toString());
            response.setHeader("Retry-After", "30");
            problem(request, response, HttpStatus.SERVICE_UNAVAILABLE, "Storage unavailable",
                    "The event could not be stored right now and was not accepted; retry later.");
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, WebhookRejection rejection)
            throws IOException {
        if (rejection.retryAfter() != null) {
            response.setHeader("Retry-After", Long.toString(rejection.retryAfter().toSeconds()));
        }
        problem(request, response, rejection.status(), rejection.title(), rejection.getMessage());
    }

    /**
     * Reads the body without holding a thread (servlet non-blocking I/O), within the ingress's
     * body deadline. A sender that trickles its body costs a socket, not a worker thread, so a
     * thousand of them do not stop health checks or other senders; past the deadline it gets 408.
     */
    private final class AsyncBody implements ReadListener, AsyncListener {

        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final String integration;
        private final String client;
        private final long limit;
        private final ByteArrayOutputStream body;
        private final byte[] buffer = new byte[8192];
        /** Set once by whichever comes first: the whole body, an oversized body, or the deadline. */
        private final AtomicBoolean settled = new AtomicBoolean();
        private AsyncContext async;
        private ServletInputStream in;

        AsyncBody(HttpServletRequest request, HttpServletResponse response, String integration, String client,
                long limit) {
            this.request = request;
            this.response = response;
            this.integration = integration;
            this.client = client;
            this.limit = limit;
            long declared = request.getContentLengthLong();
            this.body = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 1024), limit));
        }

        void start() throws IOException {
            async = request.startAsync();
            async.setTimeout(ingress.bodyDeadline().toMillis());
            async.addListener(this);
            in = request.getInputStream();
            in.setReadListener(this);
        }

        @Override
        public void onDataAvailable() throws IOException {
            int read;
            while (!settled.get() && in.isReady() && (read = in.read(buffer)) != -1) {
                if (body.size() + read > limit) {
                    if (settled.compareAndSet(false, true)) {
                        ingress.refusedBeforeAuthentication(client);
                        finish(BoundedBody.tooLarge(limit));
                    }
                    return;
                }
                body.write(buffer, 0, read);
            }
        }

        @Override
        public void onAllDataRead() throws IOException {
            if (settled.compareAndSet(false, true)) {
                try {
                    handle(request, response, integration, client, body.toByteArray());
                } finally {
                    async.complete();
                }
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            if (settled.compareAndSet(false, true)) {
                ingress.refusedBeforeAuthentication(client);
                finish(new WebhookRejection(HttpStatus.REQUEST_TIMEOUT, "Body too slow",
                        "The body did not arrive within " + ingress.bodyDeadline().toMillis()
                                + " ms; nothing was stored. Send the whole request at once."));
            }
        }

        @Override
        public void onError(Throwable failure) {
            // The client went away or the read failed: nothing was stored, nobody to answer.
            if (settled.compareAndSet(false, true)) {
                async.complete();
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        private void finish(WebhookRejection rejection) throws IOException {
            try {
                refuse(request, response, rejection);
            } finally {
                async.complete();
            }
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
