package io.switchboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a login attempt with 429 and {@code Retry-After} while its account is locked for its
 * client address, or the address itself is locked ({@link LoginThrottle}), before the body or any
 * password is checked: the form login, HTTP Basic and API keys alike. Slots and failures are
 * counted where the password or key is checked ({@link ThrottledAuthenticationManager},
 * {@link ApiKeyGate}).
 * (How many login bodies are read at once is {@link AnonymousBodies}'s business.)
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

    private final LoginThrottle throttle;

    LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
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
        } else if (ApiKeyGate.presentedKey(request) != null && !request.getRequestURI().startsWith("/webhooks/")) {
            // X-Api-Key, or a Bearer key on /api and /actuator: a wrong one counts, so a locked one waits.
            attempt = true;
        } else if (isLoginForm(request)) {
            attempt = true;
            account = "/login".equals(request.getRequestURI()) ? request.getParameter("username") : null;
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
        ProblemResponses.retryLater(response, HttpStatus.TOO_MANY_REQUESTS, locked, "Too many failed logins",
                "Too many failed logins (or logins being checked at once) for this account from this address, "
                        + "or from this address; logins are refused for " + ProblemResponses.seconds(locked)
                        + " s, even with the right password.");
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
