package io.switchboard.sandbox;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.sandbox.*}: whether the simulated systems run, where connections find
 * them, and the sandbox's own (demo) credentials and limits. The credentials are published
 * demo values in the demo and test profiles only.
 *
 * @param enabled whether {@code /sandbox} answers (true in the demo profile)
 * @param baseUrl where this server's sandbox is reached, for the connections that point at it
 */
@ConfigurationProperties("switchboard.sandbox")
public record SandboxProperties(boolean enabled, String baseUrl, Crm crm, Mail mail, Billing billing, Chat chat,
        Oauth oauth) {

    public SandboxProperties {
        oauth = oauth == null ? new Oauth(null, null, null) : oauth;
        crm = crm == null ? new Crm(null, null, null, null, null) : crm;
        mail = mail == null ? new Mail(null, null) : mail;
        billing = billing == null ? new Billing(null, null, null) : billing;
        chat = chat == null ? new Chat(null, null) : chat;
    }

    /**
     * The CRM and its OAuth2 token endpoint.
     *
     * @param clientId     the one OAuth2 client it knows
     * @param clientSecret that client's secret
     * @param scopes       the scopes that client may be granted
     * @param tokenTtl     how long an access token lives
     * @param rateLimit    requests per second before 429 ({@code 0}: no limit, e.g. for benchmarks)
     */
    public record Crm(String clientId, String clientSecret, List<String> scopes, Duration tokenTtl, Integer rateLimit) {

        public Crm {
            scopes = scopes == null || scopes.isEmpty() ? List.of("contacts:read", "contacts:write", "tasks:read",
                    "tasks:write", "users:read", "invoices:read", "invoices:write") : List.copyOf(scopes);
            tokenTtl = tokenTtl == null ? Duration.ofMinutes(5) : tokenTtl;
            rateLimit = rateLimit == null ? 10 : rateLimit;
        }

        @Override
        public String toString() {
            return "Crm[clientId=" + clientId + ", scopes=" + scopes + ", tokenTtl=" + tokenTtl + ", rateLimit="
                    + rateLimit + ", clientSecret=***]";
        }
    }

    /** Mail: the API key, sent in {@code apiKeyHeader}. */
    public record Mail(String apiKeyHeader, String apiKey) {

        public Mail {
            apiKeyHeader = apiKeyHeader == null || apiKeyHeader.isBlank() ? "X-Mail-Api-Key" : apiKeyHeader;
        }

        @Override
        public String toString() {
            return "Mail[apiKeyHeader=" + apiKeyHeader + ", apiKey=***]";
        }
    }

    /**
     * Billing.
     *
     * @param apiKey       the API key, sent as the {@code api_key} query parameter
     * @param changeEvery  how often an invoice changes (paid, or a new one), so a sync always has work
     * @param seedInvoices invoices created at first start
     */
    public record Billing(String apiKey, Duration changeEvery, Integer seedInvoices) {

        public Billing {
            changeEvery = changeEvery == null ? Duration.ofMinutes(1) : changeEvery;
            seedInvoices = seedInvoices == null ? 12 : seedInvoices;
        }

        @Override
        public String toString() {
            return "Billing[changeEvery=" + changeEvery + ", seedInvoices=" + seedInvoices + ", apiKey=***]";
        }
    }

    /** Chat: the incoming-webhook token in the URL, and the channel its messages land in. */
    public record Chat(String token, String channel) {

        public Chat {
            channel = channel == null || channel.isBlank() ? "sales" : channel;
        }

        @Override
        public String toString() {
            return "Chat[channel=" + channel + ", token=***]";
        }
    }

    /**
     * The authorization server for apps a person connects (authorization code with PKCE).
     *
     * @param accessTokenTtl  how long an app's access token lives (default 5 min)
     * @param refreshTokenTtl how long a refresh token lives unused (default 30 days)
     * @param apps            the apps it knows, by client id
     */
    public record Oauth(Duration accessTokenTtl, Duration refreshTokenTtl, Map<String, App> apps) {

        public Oauth {
            accessTokenTtl = accessTokenTtl == null ? Duration.ofMinutes(5) : accessTokenTtl;
            refreshTokenTtl = refreshTokenTtl == null ? Duration.ofDays(30) : refreshTokenTtl;
            apps = apps == null ? Map.of() : Map.copyOf(apps);
        }
    }

    /**
     * An app a person may connect: its name on the consent page, its secret, where it may be
     * sent back to (exact match), and the scopes it may be granted.
     */
    public record App(String name, String secret, List<String> redirectUris, List<String> scopes) {

        public App {
            redirectUris = redirectUris == null ? List.of() : List.copyOf(redirectUris);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
        }

        /**
         * Whether the app may be sent back to {@code uri}: an exact match of a registered URI,
         * where a registered loopback URI ({@code http://localhost/...}, {@code http://127.0.0.1/...})
         * stands for any port, as RFC 8252 section 7.3 lets native and local apps do.
         */
        public boolean allowsRedirectTo(String uri) {
            if (uri == null) {
                return false;
            }
            if (redirectUris.contains(uri)) {
                return true;
            }
            try {
                URI asked = URI.create(uri);
                for (String registered : redirectUris) {
                    URI known = URI.create(registered);
                    boolean loopback = "localhost".equals(known.getHost()) || "127.0.0.1".equals(known.getHost());
                    if (loopback && known.getPort() == -1 && "http".equals(asked.getScheme())
                            && known.getHost().equals(asked.getHost()) && Objects.equals(known.getRawPath(),
                                    asked.getRawPath()) && asked.getRawQuery() == null && asked.getRawFragment() == null) {
                        return true;
                    }
                }
            } catch (IllegalArgumentException malformed) {
                return false;
            }
            return false;
        }

        @Override
        public String toString() {
            return "App[name=" + name + ", redirectUris=" + redirectUris + ", scopes=" + scopes + ", secret=***]";
        }
    }
}
