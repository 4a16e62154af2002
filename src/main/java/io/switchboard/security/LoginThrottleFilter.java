package io.switchboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a login attempt with 429 and {@code Retry-After} while its account or its client
 * address is locked ({@link LoginThrottle}), before any password is checked: the form login,
 * HTTP Basic and API keys alike. Failures themselves are counted where the password or key is
 * checked ({@link ThrottledAuthenticationManager}, {@link ApiKeyAuthenticationFilter}).
 * Login forms are also held to a number read at once (503 beyond), so slow bodies sent to
 * them cannot starve the server's worker threads.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

    private final LoginThrottle throttle;
    /**
     * The login forms are the only anonymous requests whose body is read on a worker thread;
     * a bulkhead keeps senders that trickle their body from holding more than this many threads.
     */
    private final Semaphore bodiesBeingRead;

    LoginThrottleFilter(LoginThrottle throttle, int maxConcurrentLogins) {
        this.throttle = throttle;
        this.bodiesBeingRead = new Semaphore(maxConcurrentLogins);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String account = null;
        boolean attempt = false;
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            attempt = true;
            account = basicUser(authorization.substring(6).trim());
        } else if (request.getHeader(ApiKeyAuthenticationFilter.HEADER) != null
                && !request.getRequestURI().startsWith("/webhooks/")) {
            attempt = true;
        } else if (isLoginForm(request)) {
            if (!bodiesBeingRead.tryAcquire()) {
                response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
                response.setHeader("Retry-After", "1");
                response.setHeader("Connection", "close");
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.getWriter().write("{\"title\":\"Too many logins at once\",\"status\":503,"
                        + "\"detail\":\"Too many logins are being sent right now; try again in a second.\"}");
                return;
            }
            try {
                String user = "/login".equals(request.getRequestURI()) ? request.getParameter("username") : null;
                Duration locked = throttle.lockedFor(user, request.getRemoteAddr());
                if (locked != null) {
                    refuse(response, locked);
                    return;
                }
                chain.doFilter(request, response);
            } finally {
                bodiesBeingRead.release();
            }
            return;
        }
        if (attempt) {
            Duration locked = throttle.lockedFor(account, request.getRemoteAddr());
            if (locked != null) {
                refuse(response, locked);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private static boolean isLoginForm(HttpServletRequest request) {
        String path = request.getRequestURI();
        return "POST".equals(request.getMethod())
                && ("/login".equals(path) || "/actuator/hawtio/auth/login".equals(path));
    }

    static void refuse(HttpServletResponse response, Duration locked) throws IOException {
        long seconds = Math.max(1, (locked.toMillis() + 999) / 1000);
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader("Retry-After", Long.toString(seconds));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write("{\"title\":\"Too many failed logins\",\"status\":429,\"detail\":\"Too many failed "
                + "logins for this account or from this address; logins are refused for " + seconds
                + " s, even with the right password.\"}");
    }

    private static String basicUser(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? decoded : decoded.substring(0, colon);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }
}
