package io.switchboard.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Checks the sandbox systems' own credentials, the way the real systems would: an OAuth2
 * bearer token with the right scope for the CRM, API keys for mail and billing, the URL
 * token for chat. Every GET also answers the server's admin, so a person or a test can
 * look at what the integrations did without the systems' credentials.
 */
@SandboxEnabled
@Component
class SandboxAccess {

    private final SandboxProperties properties;
    private final SandboxTokens tokens;

    SandboxAccess(SandboxProperties properties, SandboxTokens tokens) {
        this.properties = properties;
        this.tokens = tokens;
    }

    /** True when the caller logged in to the server as an admin (basic auth, session or API key). */
    static boolean isAdmin() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.isAuthenticated() && auth.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority).anyMatch("ROLE_ADMIN"::equals);
    }

    /**
     * The stand-ins' own API (publish, place an order, send a mail, drop a file) acts as the outside
     * world for a demo or a test: the server's operators and admins may use it, nobody else.
     */
    static void requireOperator() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        boolean operator = auth != null && auth.isAuthenticated() && auth.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority).anyMatch(a -> a.equals("ROLE_OPERATOR") || a.equals("ROLE_ADMIN"));
        if (operator) {
            return;
        }
        boolean anonymous = auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken;
        throw anonymous ? SandboxError.unauthorized("unauthorized", "Log in to the server as an operator")
                .header("WWW-Authenticate", "Basic realm=\"switchboard\"")
                : new SandboxError(HttpStatus.FORBIDDEN, "forbidden", "Only the server's operators may do this");
    }

    static void requireAdmin() {
        if (!isAdmin()) {
            throw new SandboxError(HttpStatus.FORBIDDEN, "forbidden", "Only the server's admin may do this");
        }
    }

    /** The CRM: a valid bearer token holding {@code scope}; an admin may read. */
    void crm(HttpServletRequest request, String scope) {
        if ("GET".equals(request.getMethod()) && isAdmin()) {
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw SandboxError.unauthorized("invalid_request", "Send an access token from /sandbox/oauth/token as "
                    + "'Authorization: Bearer <token>'").header("WWW-Authenticate", "Bearer realm=\"sandbox-crm\"");
        }
        Set<String> granted = tokens.scopesOf(header.substring(7).trim());
        if (!granted.contains(scope)) {
            throw new SandboxError(HttpStatus.FORBIDDEN, "insufficient_scope", "This call needs the scope " + scope)
                    .with("scope", scope)
                    .header("WWW-Authenticate", "Bearer realm=\"sandbox-crm\", error=\"insufficient_scope\", "
                            + "scope=\"" + scope + "\"");
        }
    }

    /** Mail: the API key in its header; an admin may read. */
    void mail(HttpServletRequest request) {
        if ("GET".equals(request.getMethod()) && isAdmin()) {
            return;
        }
        String header = properties.mail().apiKeyHeader();
        apiKey(request.getHeader(header), properties.mail().apiKey(), "the " + header + " header", "mail");
    }

    /** Billing: the API key in the {@code api_key} query parameter; an admin may read. */
    void billing(HttpServletRequest request) {
        if ("GET".equals(request.getMethod()) && isAdmin()) {
            return;
        }
        apiKey(request.getParameter("api_key"), properties.billing().apiKey(), "the api_key query parameter",
                "billing");
    }

    /** Chat: the token in the URL. Slack answers a wrong one with 403 {@code invalid_token}. */
    void chat(String token) {
        String expected = properties.chat().token();
        if (expected == null || expected.isBlank() || !same(token, expected)) {
            throw new SandboxError(HttpStatus.FORBIDDEN, "invalid_token", "No incoming webhook has this token");
        }
    }

    private static void apiKey(String presented, String expected, String where, String system) {
        if (expected == null || expected.isBlank()) {
            throw SandboxError.unauthorized("not_configured", "The sandbox " + system
                    + " has no API key configured (switchboard.sandbox." + system + ".api-key)");
        }
        if (presented == null || presented.isBlank()) {
            throw SandboxError.unauthorized("missing_api_key", "Send the API key in " + where);
        }
        if (!same(presented, expected)) {
            throw SandboxError.unauthorized("invalid_api_key", "The API key in " + where + " is not valid");
        }
    }

    static boolean same(String presented, String expected) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
