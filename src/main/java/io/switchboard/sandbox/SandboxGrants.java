package io.switchboard.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sandbox authorization server's grants: authorization codes (single use, short-lived,
 * bound to the client, the redirect URI and a PKCE S256 challenge) and refresh tokens,
 * rotated on every use. A refresh token used a second time means it leaked or a client
 * misbehaves: its whole family is revoked (OAuth 2.0 Security BCP, section 4.14).
 */
@SandboxEnabled
@Component
class SandboxGrants {

    static final Duration CODE_TTL = Duration.ofMinutes(2);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    SandboxGrants(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** What a code or a refresh token grants. */
    record Grant(String clientId, String scopes, String family) {
    }

    String newCode(String clientId, String redirectUri, String scopes, String challenge) {
        String code = SandboxTokens.randomSecret();
        jdbc.update("insert into sandbox_oauth_code (code_hash, client_id, redirect_uri, scopes, code_challenge, "
                + "expires_at) values (?, ?, ?, ?, ?, ?)", SandboxTokens.hash(code), clientId, redirectUri, scopes,
                challenge, Timestamp.from(Instant.now(clock).plus(CODE_TTL)));
        return code;
    }

    /**
     * Redeems a code once. A code presented again revokes what the first redemption issued
     * (RFC 6749 section 4.1.2); a wrong client, redirect URI or PKCE verifier redeems nothing.
     */
    Optional<Grant> redeem(String code, String clientId, String redirectUri, String verifier, StringBuilder why) {
        return tx.execute(status -> {
            List<java.util.Map<String, Object>> rows = jdbc.queryForList("select * from sandbox_oauth_code "
                    + "where code_hash = ? for update", SandboxTokens.hash(code == null ? "" : code));
            if (rows.isEmpty()) {
                why.append("unknown authorization code");
                return Optional.<Grant>empty();
            }
            var row = rows.get(0);
            if (row.get("used_at") != null) {
                Object family = row.get("family");
                if (family != null) {
                    revokeFamily(family.toString());
                }
                why.append("the authorization code was used already; what it granted is revoked");
                return Optional.<Grant>empty();
            }
            if (!instant(row.get("expires_at")).isAfter(Instant.now(clock))) {
                why.append("the authorization code expired");
                return Optional.<Grant>empty();
            }
            if (!row.get("client_id").equals(clientId) || !row.get("redirect_uri").equals(redirectUri)) {
                why.append("the code was issued to another client or redirect_uri");
                return Optional.<Grant>empty();
            }
            if (verifier == null || !s256(verifier).equals(row.get("code_challenge"))) {
                why.append("code_verifier does not match the code_challenge (PKCE S256)");
                return Optional.<Grant>empty();
            }
            String family = UUID.randomUUID().toString();
            jdbc.update("update sandbox_oauth_code set used_at = ?, family = ? where code_hash = ?",
                    Timestamp.from(Instant.now(clock)), family, SandboxTokens.hash(code));
            return Optional.of(new Grant(clientId, (String) row.get("scopes"), family));
        });
    }

    String newRefreshToken(Grant grant, Duration ttl) {
        String token = SandboxTokens.randomSecret();
        jdbc.update("insert into sandbox_refresh_token (token_hash, family, client_id, scopes, expires_at) "
                + "values (?, ?, ?, ?, ?)", SandboxTokens.hash(token), grant.family(), grant.clientId(), grant.scopes(),
                Timestamp.from(Instant.now(clock).plus(ttl)));
        return token;
    }

    /** Uses a refresh token up (rotation); a second use revokes its family. */
    Optional<Grant> rotate(String token, String clientId, StringBuilder why) {
        return tx.execute(status -> {
            List<java.util.Map<String, Object>> rows = jdbc.queryForList("select * from sandbox_refresh_token "
                    + "where token_hash = ? for update", SandboxTokens.hash(token == null ? "" : token));
            if (rows.isEmpty() || !rows.get(0).get("client_id").equals(clientId)) {
                why.append("unknown refresh token");
                return Optional.<Grant>empty();
            }
            var row = rows.get(0);
            String family = (String) row.get("family");
            if (Boolean.TRUE.equals(row.get("revoked"))) {
                why.append("the grant was revoked; the user must connect again");
                return Optional.<Grant>empty();
            }
            if (row.get("used_at") != null) {
                revokeFamily(family);
                why.append("the refresh token was used already (rotated away); the grant is revoked");
                return Optional.<Grant>empty();
            }
            if (!instant(row.get("expires_at")).isAfter(Instant.now(clock))) {
                why.append("the refresh token expired; the user must connect again");
                return Optional.<Grant>empty();
            }
            jdbc.update("update sandbox_refresh_token set used_at = ? where token_hash = ?",
                    Timestamp.from(Instant.now(clock)), SandboxTokens.hash(token));
            return Optional.of(new Grant(clientId, (String) row.get("scopes"), family));
        });
    }

    /** A fault: every grant is revoked, so every refresh answers invalid_grant. */
    void revokeAll() {
        jdbc.update("update sandbox_refresh_token set revoked = true");
    }

    private void revokeFamily(String family) {
        jdbc.update("update sandbox_refresh_token set revoked = true where family = ?", family);
    }

    /** A timestamp column as H2 (OffsetDateTime) and PostgreSQL (Timestamp) give it. */
    private static Instant instant(Object column) {
        return column instanceof java.time.OffsetDateTime offset ? offset.toInstant() : ((Timestamp) column).toInstant();
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
