package io.switchboard.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.CacheControlHeadersWriter;
import org.springframework.security.web.header.writers.HstsHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.header.writers.XContentTypeOptionsHeaderWriter;
import org.springframework.security.web.header.writers.XXssProtectionHeaderWriter;
import org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter;
import org.springframework.stereotype.Component;

/**
 * The API key check, for the secured filter chain ({@link ApiKeyAuthenticationFilter}) and for
 * a path that answers before it (an api integration's calls, {@code ingress.ApiCalls}): the
 * key from {@code X-Api-Key} (or {@code Authorization: Bearer} on {@code /api} and
 * {@code /actuator}), its SHA-256 compared in constant time with every configured key, a
 * locked client address refused with 429, a wrong key counted against the address (in the
 * same step as the comparison, {@link LoginThrottle#checkKey}) and refused with 401, and the response headers the chain writes (no caching, no sniffing,
 * no framing, same-origin referrer).
 */
@Component
public class ApiKeyGate {

    static final String HEADER = "X-Api-Key";
    private static final String BEARER = "Bearer ";

    /** Whom a key belongs to. */
    public record Caller(String keyName, Role role) {
    }

    private final Map<String, SecurityProperties.ApiKey> keys;
    private final LoginThrottle throttle;
    private final List<HeaderWriter> headers = List.of(new XContentTypeOptionsHeaderWriter(),
            new XXssProtectionHeaderWriter(), new CacheControlHeadersWriter(), new HstsHeaderWriter(),
            new XFrameOptionsHeaderWriter(), new ReferrerPolicyHeaderWriter(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN));

    public ApiKeyGate(SecurityProperties properties, LoginThrottle throttle) {
        this.keys = properties.apiKeys();
        this.throttle = throttle;
    }

    /**
     * The key the request presents, or null: {@code X-Api-Key}, or {@code Authorization: Bearer}
     * on the server's own API and actuator (scrapers such as Prometheus send only
     * {@code Authorization}); other paths (the sandbox's APIs) take bearer tokens of their own.
     */
    public static String presentedKey(HttpServletRequest request) {
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

    /**
     * Admits the request's key or answers it: the caller, or null once a 429 (locked address,
     * or its limit taken by checks in progress) or 401 (no such key) has been written. The key is
     * compared while the address's failures are held, so parallel wrong keys from one address get
     * no more 401s than the address's limit, whatever their number.
     */
    public Caller admit(HttpServletRequest request, HttpServletResponse response, String presented) throws IOException {
        // A presented key is a login attempt, refused while the address is locked (X-Api-Key or Bearer alike).
        LoginThrottle.Checked<Caller> checked = throttle.checkKey(request.getRemoteAddr(), () -> match(presented));
        if (checked.refusedFor() != null) {
            LoginThrottleFilter.refuse(response, checked.refusedFor());
            return null;
        }
        if (checked.result() == null) {
            // A wrong key names no account: it has counted against the client address only.
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "The API key (X-Api-Key, or Authorization: Bearer on /api and /actuator) does not match a "
                            + "configured API key.");
        }
        return checked.result();
    }

    /** The configured key with that value, or null; every key is compared, so timing tells nothing. */
    Caller match(String presented) {
        byte[] presentedHash = sha256(presented);
        Caller matched = null;
        for (Map.Entry<String, SecurityProperties.ApiKey> entry : keys.entrySet()) {
            byte[] expected = decodeHex(entry.getValue().sha256());
            if (expected != null && MessageDigest.isEqual(presentedHash, expected) && matched == null) {
                matched = new Caller(entry.getKey(), entry.getValue().role());
            }
        }
        return matched;
    }

    /** The headers the secured chain writes on every answer. */
    public void writeSecurityHeaders(HttpServletRequest request, HttpServletResponse response) {
        headers.forEach(writer -> writer.writeHeaders(request, response));
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
