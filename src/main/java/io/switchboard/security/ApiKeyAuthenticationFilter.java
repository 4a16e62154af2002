package io.switchboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates programmatic clients by their {@code X-Api-Key}. Keys are configured as
 * SHA-256 hashes and compared in constant time; a wrong key is refused at once rather
 * than falling through to another login.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Api-Key";
    private static final String BEARER = "Bearer ";
    /** Set on a request authenticated by a key or by HTTP Basic: it carries no browser session, so no CSRF check. */
    static final String STATELESS_CREDENTIALS = ApiKeyAuthenticationFilter.class.getName() + ".stateless";

    private final Map<String, SecurityProperties.ApiKey> keys;
    private final LoginThrottle throttle;
    private final RequestAttributeSecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();

    ApiKeyAuthenticationFilter(Map<String, SecurityProperties.ApiKey> keys, LoginThrottle throttle) {
        this.keys = keys;
        this.throttle = throttle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = presentedKey(request);
        if (presented == null || presented.isEmpty() || request.getRequestURI().startsWith("/webhooks/")) {
            // Webhook senders' API keys are the ingress's business, checked per integration.
            chain.doFilter(request, response);
            return;
        }
        byte[] presentedHash = sha256(presented);
        String matchedName = null;
        SecurityProperties.ApiKey matched = null;
        for (Map.Entry<String, SecurityProperties.ApiKey> entry : keys.entrySet()) {
            byte[] expected = decodeHex(entry.getValue().sha256());
            // Check every key so the time taken does not tell which one came close.
            if (expected != null && MessageDigest.isEqual(presentedHash, expected) && matched == null) {
                matchedName = entry.getKey();
                matched = entry.getValue();
            }
        }
        if (matched == null) {
            // A wrong key names no account: it counts against the client address only.
            throttle.failed(null, request.getRemoteAddr());
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "The API key (X-Api-Key, or Authorization: Bearer on /api and /actuator) does not match a "
                            + "configured API key.");
            return;
        }
        var auth = UsernamePasswordAuthenticationToken.authenticated("api-key:" + matchedName, null,
                List.of(new SimpleGrantedAuthority(matched.role().authority())));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        // Routes on platform-http answer on an async dispatch, which this filter does not see
        // again: the request keeps the context so that dispatch is authorised too.
        contexts.saveContext(context, request, response);
        request.setAttribute(STATELESS_CREDENTIALS, Boolean.TRUE);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    /**
     * The key from {@code X-Api-Key}, or from {@code Authorization: Bearer} on the server's
     * own API and actuator: scrapers such as Prometheus send only {@code Authorization}. Other
     * paths (the sandbox's APIs) take bearer tokens of their own.
     */
    private static String presentedKey(HttpServletRequest request) {
        String key = request.getHeader(HEADER);
        if (key != null) {
            return key;
        }
        String authorization = request.getHeader("Authorization");
        String path = request.getRequestURI();
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && (path.startsWith("/api/") || path.startsWith("/actuator/"))) {
            return authorization.substring(BEARER.length()).trim();
        }
        return null;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static byte[] decodeHex(String hex) {
        if (hex == null || hex.length() != 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex.toLowerCase());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
