package io.switchboard.security;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A bulkhead for the requests handled on a worker thread before anybody is authenticated: the
 * logins (the server's form and Hawtio's), whose password checks are costly, and, in the demo,
 * the sandbox's simulated systems, whose bodies are read on the thread: a sender that trickles
 * such a body holds a thread while it does. At most so many of each kind run at once, more get
 * 503 at once, so they cannot take the threads that health checks and everybody else need. (A
 * login's body is whole before it gets here, read without a thread within a deadline by
 * {@link LoginBodies}, so slow senders never hold a login permit; webhook bodies are read
 * without a thread too; every other request is refused before its body is read, and its unread
 * body is not waited for: {@code server.tomcat.max-swallow-size: 0}.)
 */
final class AnonymousBodies extends OncePerRequestFilter {

    private final Semaphore logins;
    private final Semaphore sandbox;

    AnonymousBodies(int maxConcurrentLogins, int maxConcurrentSandbox) {
        this.logins = new Semaphore(maxConcurrentLogins);
        this.sandbox = new Semaphore(maxConcurrentSandbox);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Semaphore bulkhead = bulkheadFor(request);
        if (bulkhead == null) {
            chain.doFilter(request, response);
            return;
        }
        if (!bulkhead.tryAcquire()) {
            ProblemResponses.retryLater(response, HttpStatus.SERVICE_UNAVAILABLE, Duration.ofSeconds(1), "Busy",
                    "Too many requests of this kind are being sent right now; try again in a second.");
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            bulkhead.release();
        }
    }

    private Semaphore bulkheadFor(HttpServletRequest request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return null;
        }
        String path = request.getRequestURI();
        if ("/login".equals(path) || "/actuator/hawtio/auth/login".equals(path)) {
            return logins;
        }
        return path.startsWith("/sandbox/") ? sandbox : null;
    }
}
