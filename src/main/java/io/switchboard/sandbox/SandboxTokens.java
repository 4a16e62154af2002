package io.switchboard.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The sandbox CRM's authorization server state: its OAuth2 client (which a fault can
 * revoke) and the access tokens it issued, stored as hashes with their scopes and expiry.
 */
@SandboxEnabled
@Component
class SandboxTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final SandboxProperties properties;
    private final Clock clock;

    SandboxTokens(JdbcTemplate jdbc, SandboxProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** A token answer, as the token endpoint returns it. */
    record Issued(String accessToken, long expiresIn, Set<String> scopes) {
    }

    /** Issues a token for the client after its id and secret were checked. */
    Issued issue(String clientId, Set<String> scopes) {
        return issue(clientId, scopes, properties.crm().tokenTtl());
    }

    /** A random, URL-safe secret (a token, a code). */
    static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    Issued issue(String clientId, Set<String> scopes, Duration ttl) {
        String token = randomSecret();
        Instant now = Instant.now(clock);
        Instant expires = now.plus(ttl);
        jdbc.update("delete from sandbox_token where expires_at < ?", Timestamp.from(now.minusSeconds(3600)));
        jdbc.update("insert into sandbox_token (token_hash, client_id, scopes, issued_at, expires_at) values (?, ?, ?, ?, ?)",
                hash(token), clientId, String.join(" ", scopes), Timestamp.from(now), Timestamp.from(expires));
        return new Issued(token, ttl.toSeconds(), scopes);
    }

    /** The scopes of a live token, or a 401 saying why it is not one. */
    Set<String> scopesOf(String token) {
        List<TokenRow> rows = jdbc.query("select t.scopes, t.expires_at, c.revoked from sandbox_token t "
                        + "left join sandbox_oauth_client c on c.client_id = t.client_id where t.token_hash = ?",
                (rs, i) -> new TokenRow(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getBoolean(3)),
                hash(token));
        if (rows.isEmpty() || rows.get(0).revoked()) {
            throw invalidToken("The access token is not known");
        }
        if (!rows.get(0).expiresAt().isAfter(Instant.now(clock))) {
            throw invalidToken("The access token expired");
        }
        return Arrays.stream(rows.get(0).scopes().split(" ")).filter(s -> !s.isBlank())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    boolean isRevoked(String clientId) {
        return Boolean.TRUE.equals(jdbc.query("select revoked from sandbox_oauth_client where client_id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, clientId));
    }

    /** A fault: the client is refused from now on and its tokens stop working. */
    void revoke(String clientId) {
        ensureClient(clientId);
        jdbc.update("update sandbox_oauth_client set revoked = true where client_id = ?", clientId);
        jdbc.update("delete from sandbox_token where client_id = ?", clientId);
    }

    /** A fault: every token issued so far has expired. */
    /** Every access token issued to {@code clientId} stops working at once. */
    void forget(String clientId) {
        jdbc.update("delete from sandbox_token where client_id = ?", clientId);
    }

    void expireAll() {
        jdbc.update("update sandbox_token set expires_at = ?", Timestamp.from(Instant.now(clock).minusSeconds(1)));
    }

    void unrevokeAll() {
        jdbc.update("update sandbox_oauth_client set revoked = false");
    }

    void ensureClient(String clientId) {
        if (clientId != null && !clientId.isBlank() && jdbc.queryForObject(
                "select count(*) from sandbox_oauth_client where client_id = ?", Integer.class, clientId) == 0) {
            try {
                jdbc.update("insert into sandbox_oauth_client (client_id, revoked) values (?, false)", clientId);
            } catch (DuplicateKeyException anotherNodeSeededIt) {
                // Nodes of a cluster starting together on one database each seed the sandbox:
                // the first insert wins and the client exists, which is all a start needs.
            }
        }
    }

    private static SandboxError invalidToken(String message) {
        return SandboxError.unauthorized("invalid_token", message).header("WWW-Authenticate",
                "Bearer realm=\"sandbox-crm\", error=\"invalid_token\", error_description=\"" + message + "\"");
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private record TokenRow(String scopes, Instant expiresAt, boolean revoked) {
    }
}
