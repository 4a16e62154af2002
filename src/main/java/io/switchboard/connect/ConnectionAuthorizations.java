package io.switchboard.connect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.switchboard.connect.ConnectionsProperties.AuthType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.JdbcOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;

/**
 * What the authorization-code connections hold, shared by every node through the database:
 * their tokens, in Spring Security's {@link JdbcOAuth2AuthorizedClientService} with every
 * token value encrypted by {@link TokenCipher}, and each connection's standing
 * ({@code connection_authorization}: connected by whom and when, with which scopes, or why it
 * needs reconnecting). The standing row is also the lock a refresh holds.
 */
@Component
public class ConnectionAuthorizations {

    /** Tokens belong to the connection (one account per connection), not to the person who connected it. */
    static final String PRINCIPAL = "switchboard";

    /** A connection's standing. */
    public enum Standing {
        /** Never connected (no row yet). */
        NOT_CONNECTED,
        CONNECTED,
        /** The provider refused the grant (revoked, expired, rotated away): a person must connect again. */
        NEEDS_RECONNECT,
        DISCONNECTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One connection's standing as the console shows it; never a token. */
    public record Authorization(String connection, Standing standing, String connectedBy, Instant connectedAt,
            List<String> scopesGranted, String reason, Instant since, Instant refreshedAt, long refreshes) {
    }

    private static final String SELECT = "select connection, status, connected_by, connected_at, scopes_granted, "
            + "reason, since, refreshed_at, refreshes from connection_authorization where connection = ?";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final TokenCipher cipher;
    private final JdbcOAuth2AuthorizedClientService tokens;
    private volatile ClientRegistrationRepository registrations = id -> null;

    public ConnectionAuthorizations(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, ConnectionsProperties properties,
            @Value("${switchboard.encryption.key:}") String key,
            @Value("${switchboard.encryption.previous-keys:}") String previousKeys,
            @Value("${switchboard.encryption.generated-key-file:}") String keyFile) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        List<String> needing = properties.connections().entrySet().stream()
                .filter(e -> e.getValue().auth().type() == AuthType.OAUTH2_AUTHORIZATION_CODE).map(e -> e.getKey())
                .toList();
        TokenCipher configured = TokenCipher.configured(key, previousKeys, keyFile);
        if (configured == null && !needing.isEmpty()) {
            // Starts with the setting, so the start ends with the short "a setting stops the start" block.
            throw new IllegalStateException("switchboard.encryption.key is empty: connection(s) " + needing + " use "
                    + "oauth2-authorization-code, whose tokens are stored encrypted. Set SWITCHBOARD_ENCRYPTION_KEY to a "
                    + "random 32-byte key in base64 (make one with `openssl rand -base64 32`, keep it in a secret "
                    + "store, never in git)");
        }
        this.cipher = configured;
        this.tokens = new JdbcOAuth2AuthorizedClientService(jdbc, id -> registrations.findByRegistrationId(id));
        tokens.setAuthorizedClientParametersMapper(this::parameters);
        tokens.setAuthorizedClientRowMapper(rowMapper());
    }

    /** Where the stored tokens' registrations come from (the connections, once built). */
    void useRegistrations(ClientRegistrationRepository registrations) {
        this.registrations = registrations;
    }

    /** Spring Security's view of the tokens, decrypted on reading. */
    OAuth2AuthorizedClientService tokens() {
        return tokens;
    }

    TokenCipher cipher() {
        return cipher;
    }

    public Authorization of(String connection) {
        List<Authorization> rows = jdbc.query(SELECT, ConnectionAuthorizations::authorization, connection);
        return rows.isEmpty() ? new Authorization(connection, Standing.NOT_CONNECTED, null, null, List.of(),
                "never connected", null, null, 0) : rows.get(0);
    }

    /**
     * Runs {@code work} holding the connection's row lock ({@code select ... for update}), in one
     * transaction: refreshes on any node happen one at a time, and each sees the last one's tokens.
     */
    <T> T locked(String connection, Function<Authorization, T> work) {
        return tx.execute(status -> {
            ensureRow(connection);
            Authorization current = jdbc.query(SELECT + " for update", ConnectionAuthorizations::authorization,
                    connection).get(0);
            return work.apply(current);
        });
    }

    /** Tokens from a consent: stored encrypted, the connection connected by {@code person}. */
    void connected(String connection, OAuth2AuthorizedClient client, String person, List<String> scopesGranted) {
        tx.executeWithoutResult(status -> {
            lockRow(connection);
            tokens.removeAuthorizedClient(connection, PRINCIPAL);
            tokens.saveAuthorizedClient(client, principal());
            Timestamp now = Timestamp.from(Instant.now(clock));
            jdbc.update("update connection_authorization set status = ?, connected_by = ?, connected_at = ?, "
                    + "scopes_granted = ?, reason = null, since = ?, refreshed_at = null where connection = ?",
                    Standing.CONNECTED.name(), person, now, String.join(" ", scopesGranted), now, connection);
        });
    }

    /** A refresh gave new tokens (inside {@link #locked}). */
    void refreshed(OAuth2AuthorizedClient client) {
        tokens.saveAuthorizedClient(client, principal());
        jdbc.update("update connection_authorization set refreshed_at = ?, refreshes = refreshes + 1 where connection = ?",
                Timestamp.from(Instant.now(clock)), client.getClientRegistration().getRegistrationId());
    }

    /** The grant is gone (refused at refresh, or disconnected): the tokens are deleted, the reason kept. */
    void lost(String connection, Standing standing, String reason) {
        tx.executeWithoutResult(status -> {
            lockRow(connection);
            tokens.removeAuthorizedClient(connection, PRINCIPAL);
            jdbc.update("update connection_authorization set status = ?, reason = ?, since = ? where connection = ?",
                    standing.name(), reason == null ? null : reason.substring(0, Math.min(reason.length(), 2000)),
                    Timestamp.from(Instant.now(clock)), connection);
        });
    }

    /** The standing row first, as a refresh takes it: every writer locks in the same order. */
    private void lockRow(String connection) {
        ensureRow(connection);
        jdbc.queryForList("select connection from connection_authorization where connection = ? for update", String.class,
                connection);
    }

    private void ensureRow(String connection) {
        // Inserted only when missing, so the common path is one locked select.
        if (jdbc.queryForObject("select count(*) from connection_authorization where connection = ?", Integer.class,
                connection) > 0) {
            return;
        }
        // Two nodes may insert the first row at once: one wins, the other's insert does nothing
        // (and, on PostgreSQL, does not abort the transaction it runs in).
        jdbc.update("insert into connection_authorization (connection, status, reason, since) values (?, ?, ?, ?) "
                + "on conflict do nothing", connection, Standing.NOT_CONNECTED.name(), "never connected",
                Timestamp.from(Instant.now(clock)));
    }

    private static AnonymousAuthenticationToken principal() {
        return new AnonymousAuthenticationToken("connection", PRINCIPAL, AuthorityUtils.createAuthorityList("CONNECTION"));
    }

    private static Authorization authorization(ResultSet rs, int row) throws SQLException {
        String scopes = rs.getString(5);
        return new Authorization(rs.getString(1), Standing.valueOf(rs.getString(2)), rs.getString(3), instant(rs, 4),
                scopes == null || scopes.isBlank() ? List.of() : List.of(scopes.trim().split("\\s+")), rs.getString(6),
                instant(rs, 7), instant(rs, 8), rs.getLong(9));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }

    /** In the column order of Spring's insert; the token values encrypted, bound to their row and column. */
    private List<SqlParameterValue> parameters(JdbcOAuth2AuthorizedClientService.OAuth2AuthorizedClientHolder holder) {
        OAuth2AuthorizedClient client = holder.getAuthorizedClient();
        String id = client.getClientRegistration().getRegistrationId();
        OAuth2AccessToken access = client.getAccessToken();
        OAuth2RefreshToken refresh = client.getRefreshToken();
        List<SqlParameterValue> values = new ArrayList<>();
        values.add(new SqlParameterValue(Types.VARCHAR, id));
        values.add(new SqlParameterValue(Types.VARCHAR, holder.getPrincipal().getName()));
        values.add(new SqlParameterValue(Types.VARCHAR, access.getTokenType().getValue()));
        values.add(new SqlParameterValue(Types.VARCHAR, cipher.encrypt(access.getTokenValue(), id + "/access_token")));
        values.add(new SqlParameterValue(Types.TIMESTAMP, Timestamp.from(access.getIssuedAt())));
        values.add(new SqlParameterValue(Types.TIMESTAMP, Timestamp.from(access.getExpiresAt())));
        values.add(new SqlParameterValue(Types.VARCHAR,
                access.getScopes().isEmpty() ? null : StringUtils.collectionToDelimitedString(access.getScopes(), ",")));
        values.add(new SqlParameterValue(Types.VARCHAR,
                refresh == null ? null : cipher.encrypt(refresh.getTokenValue(), id + "/refresh_token")));
        values.add(new SqlParameterValue(Types.TIMESTAMP,
                refresh == null || refresh.getIssuedAt() == null ? null : Timestamp.from(refresh.getIssuedAt())));
        return values;
    }

    private RowMapper<OAuth2AuthorizedClient> rowMapper() {
        return (rs, row) -> {
            String id = rs.getString("client_registration_id");
            ClientRegistration registration = registrations.findByRegistrationId(id);
            if (registration == null) {
                throw new DataRetrievalFailureException("No connection '" + id
                        + "' is configured for the tokens stored under that name");
            }
            String scopes = rs.getString("access_token_scopes");
            OAuth2AccessToken access = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
                    cipher.decrypt(rs.getString("access_token_value"), id + "/access_token"),
                    rs.getTimestamp("access_token_issued_at").toInstant(),
                    rs.getTimestamp("access_token_expires_at").toInstant(),
                    scopes == null ? Set.of() : StringUtils.commaDelimitedListToSet(scopes));
            String refreshValue = rs.getString("refresh_token_value");
            Timestamp refreshIssued = rs.getTimestamp("refresh_token_issued_at");
            OAuth2RefreshToken refresh = refreshValue == null ? null : new OAuth2RefreshToken(
                    cipher.decrypt(refreshValue, id + "/refresh_token"),
                    refreshIssued == null ? null : refreshIssued.toInstant());
            return new OAuth2AuthorizedClient(registration, rs.getString("principal_name"), access, refresh);
        };
    }

    /** Loaded under the connection's lock, decrypted; empty when there are no tokens. */
    Optional<OAuth2AuthorizedClient> load(String connection) {
        return Optional.ofNullable(tokens.loadAuthorizedClient(connection, PRINCIPAL));
    }
}
