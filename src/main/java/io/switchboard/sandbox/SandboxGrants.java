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

    /** A stored code or refresh token: whom it was for, what it grants, whether it is spent. */
    private record Stored(String clientId, String redirectUri, String scopes, String challenge, String family,
            Instant expiresAt, boolean used, boolean revoked) {
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
            List<Stored> rows = jdbc.query("select client_id, redirect_uri, scopes, code_challenge, family, "
                    + "expires_at, used_at from sandbox_oauth_code where code_hash = ? for update",
                    (rs, n) -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7) != null, false),
                    SandboxTokens.hash(code == null ? "" : code));
            if (rows.isEmpty()) {
                why.append("unknown authorization code");
                return Optional.<Grant>empty();
            }
            Stored row = rows.get(0);
            if (row.used()) {
                if (row.family() != null) {
                    revokeFamily(row.family());
                }
                why.append("the authorization code was used already; what it granted is revoked");
                return Optional.<Grant>empty();
            }
            if (!row.expiresAt().isAfter(Instant.now(clock))) {
                why.append("the authorization code expired");
                return Optional.<Grant>empty();
            }
            if (!row.clientId().equals(clientId) || !row.redirectUri().equals(redirectUri)) {
                why.append("the code was issued to another client or redirect_uri");
                return Optional.<Grant>empty();
            }
            if (verifier == null || !s256(verifier).equals(row.challenge())) {
                why.append("code_verifier does not match the code_challenge (PKCE S256)");
                return Optional.<Grant>empty();
            }
            String family = UUID.randomUUID().toString();
            jdbc.update("update sandbox_oauth_code set used_at = ?, family = ? where code_hash = ?",
                    Timestamp.from(Instant.now(clock)), family, SandboxTokens.hash(code));
            return Optional.of(new Grant(clientId, row.scopes(), family));
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
            List<Stored> rows = jdbc.query("select client_id, scopes, family, expires_at, used_at, revoked "
                    + "from sandbox_refresh_token where token_hash = ? for update",
                    (rs, n) -> new Stored(rs.getString(1), null, rs.getString(2), null, rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5) != null, rs.getBoolean(6)),
                    SandboxTokens.hash(token == null ? "" : token));
            if (rows.isEmpty() || !rows.get(0).clientId().equals(clientId)) {
                why.append("unknown refresh token");
                return Optional.<Grant>empty();
            }
            Stored row = rows.get(0);
            if (row.revoked()) {
                why.append("the grant was revoked; the user must connect again");
                return Optional.<Grant>empty();
            }
            if (row.used()) {
                revokeFamily(row.family());
                why.append("the refresh token was used already (rotated away); the grant is revoked");
                return Optional.<Grant>empty();
            }
            if (!row.expiresAt().isAfter(Instant.now(clock))) {
                why.append("the refresh token expired; the user must connect again");
                return Optional.<Grant>empty();
            }
            jdbc.update("update sandbox_refresh_token set used_at = ? where token_hash = ?",
                    Timestamp.from(Instant.now(clock)), SandboxTokens.hash(token));
            return Optional.of(new Grant(clientId, row.scopes(), row.family()));
        });
    }

    /** Revokes the grant a refresh token of {@code clientId} belongs to; whether there was one. */
    boolean revokeByToken(String token, String clientId) {
        List<String> family = jdbc.queryForList("select family from sandbox_refresh_token where token_hash = ? "
                + "and client_id = ?", String.class, SandboxTokens.hash(token == null ? "" : token), clientId);
        family.forEach(this::revokeFamily);
        return !family.isEmpty();
    }

    /** A fault: every grant is revoked, so every refresh answers invalid_grant. */
    void revokeAll() {
        jdbc.update("update sandbox_refresh_token set revoked = true");
    }

    private void revokeFamily(String family) {
        jdbc.update("update sandbox_refresh_token set revoked = true where family = ?", family);
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
