package io.switchboard.connect;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.reliability.AwaitingConnectionException;
import io.switchboard.reliability.CredentialsRejectedException;
import io.switchboard.reliability.Failure;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One configured external system at run time: its pooled HTTP client (Apache HttpClient 5,
 * sized to {@code max-concurrent}, with the connection's timeouts),
 * its credentials, and its state. Every call goes through {@link #call}, which adds the
 * credential, renews an OAuth2 token once on 401, turns a non-2xx answer into an
 * {@link HttpOperationFailedException} that {@link Failure} can classify, and keeps the
 * connection's state and alerts current.
 */
public final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final String name;
    private final ConnectionsProperties.Connection settings;
    private final Supplier<String> baseUrl;
    private final ConnectionAuth auth;
    private final Set<String> scopes;
    private final ConnectionStates states;
    private final Alerts alerts;
    private final Clock clock;
    private final Map<String, String> deniedOperations = new ConcurrentHashMap<>();
    private final CallOutcomes outcomes = new CallOutcomes();
    private volatile Instant refusedUntil;
    private volatile String refusedReason;
    private volatile String rateLimited;
    private volatile CloseableHttpClient client;

    private final ConnectionLimiter limiter;

    Connection(String name, ConnectionsProperties.Connection settings, Supplier<String> baseUrl, ConnectionAuth auth,
            Set<String> scopes, ConnectionStates states, Alerts alerts, Clock clock) {
        this(name, settings, baseUrl, auth, scopes, states, alerts, clock, () -> 1);
    }

    Connection(String name, ConnectionsProperties.Connection settings, Supplier<String> baseUrl, ConnectionAuth auth,
            Set<String> scopes, ConnectionStates states, Alerts alerts, Clock clock,
            IntSupplier liveNodes) {
        this.limiter = new ConnectionLimiter(settings.rateLimit(), liveNodes);
        this.name = name;
        this.settings = settings;
        this.baseUrl = baseUrl;
        this.auth = auth;
        this.scopes = Collections.unmodifiableSortedSet(new TreeSet<>(scopes));
        this.states = states;
        this.alerts = alerts;
        this.clock = clock;
        states.register(name);
    }

    /** One HTTP request, relative to the connection's base URL. */
    record Request(String method, String path, String rawQuery, byte[] body, String contentType,
            Map<String, String> headers) {
    }

    /** The system's answer. */
    record Response(int status, String statusText, Map<String, Object> headers, String body) {
    }

    public String name() {
        return name;
    }

    public ConnectionsProperties.Connection settings() {
        return settings;
    }

    /** The base URL as it resolves now (in tests it follows the random port). */
    public String baseUrl() {
        return baseUrl.get();
    }

    /** The OAuth2 scopes this connection asks for (empty for other kinds of auth). */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * Calls the system. Throws {@link HttpOperationFailedException} for a non-2xx answer,
     * {@link CredentialsRejectedException} when there is no usable credential,
     * an {@link java.io.IOException} when the system or its token endpoint cannot be reached.
     */
    Response call(Exchange exchange, Request request) throws Exception {
        ConnectionPaths.checked(request.path());
        try {
            Response response = attempt(request);
            if (exchange != null) {
                exchange.removeProperty(Failure.FAILED_CONNECTION);
            }
            return response;
        } catch (Exception failed) {
            // Whoever settles the event learns which system failed it (an incident's cause).
            if (exchange != null) {
                exchange.setProperty(Failure.FAILED_CONNECTION, name);
            }
            throw failed;
        }
    }

    private Response attempt(Request request) throws Exception {
        failFastWhileRefused();
        Credential credential = credential();
        Response response;
        try {
            response = send(request, credential);
            if (response.status() == 401 && auth.renew(credential)) {
                credential = credential();
                response = send(request, credential);
            }
        } catch (IOException unreachable) {
            // Refused, reset or timed out: the system was not there for this call.
            unavailable(request.method() + " " + request.path() + ": " + unreachable.getClass().getSimpleName()
                    + (unreachable.getMessage() == null ? "" : " " + unreachable.getMessage()));
            throw unreachable;
        }
        settle(request, response, credential);
        return response;
    }

    /** A call the system did not serve; the connection turns failing when such calls pile up. */
    private void unavailable(String error) {
        outcomes.failed(Instant.now(clock), error);
        updateState(null);
    }

    /** How the system has answered lately, as {@code /api/connections} shows it. */
    public CallOutcomes.Availability availability() {
        return outcomes.availability(Instant.now(clock));
    }

    private void failFastWhileRefused() {
        Instant until = refusedUntil;
        if (until != null && Instant.now(clock).isBefore(until)) {
            String reason = refusedReason;
            alerts.raise(alertKey(Status.CREDENTIALS_REJECTED), title(Status.CREDENTIALS_REJECTED), reason);
            throw new CredentialsRejectedException(reason + " (not asking again until " + until + ")");
        }
    }

    private Credential credential() throws Exception {
        try {
            return auth.credential();
        } catch (CredentialsRejectedException refused) {
            refuse(refused.getMessage());
            throw refused;
        } catch (AwaitingConnectionException waiting) {
            states.record(name, Status.NEEDS_CONNECTING, waiting.getMessage());
            throw waiting;
        } catch (OAuth2ClientCredentials.UncheckedTokenEndpointUnavailable unavailable) {
            throw unavailable.getCause();
        }
    }

    private Response send(Request request, Credential credential) throws Exception {
        limiter.acquire();
        String url = url(request, credential, false);
        String query = query(request, credential, false);
        ClassicRequestBuilder call = org.apache.hc.core5.http.io.support
                .ClassicRequestBuilder.create(request.method()).setUri(query == null ? url : url + "?" + query);
        call.setHeader("Accept", "application/json");
        request.headers().forEach(call::setHeader);
        if (request.body() != null) {
            call.setEntity(new ByteArrayEntity(request.body(),
                    contentType(request.contentType())));
        }
        credential.headers().forEach(call::setHeader);
        long started = System.nanoTime();
        return client().execute(call.build(), answer -> {
            Map<String, Object> headers = new LinkedHashMap<>();
            for (Header header : answer.getHeaders()) {
                if (!header.getName().equalsIgnoreCase("Set-Cookie")) {
                    headers.put(header.getName(), header.getValue());
                }
            }
            String body = answer.getEntity() == null ? null
                    : EntityUtils.toString(answer.getEntity(), StandardCharsets.UTF_8);
            log.debug("connection {} {} {} answered {} in {} ms", name, request.method(), request.path(),
                    answer.getCode(), (System.nanoTime() - started) / 1_000_000);
            return new Response(answer.getCode(), answer.getReasonPhrase(), headers, body);
        });
    }

    private static ContentType contentType(String value) {
        if (value == null || value.isBlank()) {
            return ContentType.APPLICATION_JSON;
        }
        try {
            return ContentType.parse(value);
        } catch (RuntimeException unparsable) {
            return ContentType.create(value.trim());
        }
    }

    /** Keeps the state, the alerts and the cool-down current, and fails a non-2xx answer. */
    private void settle(Request request, Response response, Credential credential) throws HttpOperationFailedException {
        int status = response.status();
        String operation = request.method() + " " + request.path();
        if (status >= 500) {
            outcomes.failed(Instant.now(clock), operation + " answered " + status);
        } else {
            outcomes.succeeded(Instant.now(clock));
        }
        if (status >= 200 && status < 300) {
            boolean wasRefused = refusedUntil != null;
            refusedUntil = null;
            refusedReason = null;
            rateLimited = null;
            if (deniedOperations.remove(operation) != null && deniedOperations.isEmpty()) {
                alerts.resolve(alertKey(Status.PERMISSION_DENIED));
            }
            if (wasRefused) {
                alerts.resolve(alertKey(Status.CREDENTIALS_REJECTED));
            }
            updateState(null);
            return;
        }
        HttpOperationFailedException failure = failure(request, response, credential);
        if (status == 401 && auth instanceof OAuth2AuthorizationCode granted) {
            // Already renewed once for this call: the grant behind the token is gone.
            RuntimeException refusedNow = granted.refusedByApi(operation + " answered 401", credential);
            if (refusedNow instanceof AwaitingConnectionException) {
                states.record(name, Status.NEEDS_CONNECTING, refusedNow.getMessage());
            }
            throw refusedNow;
        }
        if (status == 401) {
            if (isOAuth2()) {
                // Drop the refused token too, so the first call after the cool-down fetches another.
                auth.renew(credential);
            }
            refuse("Connection '" + name + "': " + operation + " answered 401, the system does not accept "
                    + (isOAuth2() ? "even a freshly fetched token" : "the configured credentials"));
        } else if (status == 403) {
            String scope = Failure.missingScope(failure);
            String detail = operation + " answered 403" + (scope == null ? "" : ": missing scope " + scope);
            deniedOperations.put(operation, detail);
            alerts.raise(alertKey(Status.PERMISSION_DENIED), title(Status.PERMISSION_DENIED), detail);
            updateState(detail);
        } else if (status == 429) {
            Duration wait = Failure.retryAfter(failure.getResponseHeaders());
            rateLimited = operation + " answered 429" + (wait == null ? "" : ", Retry-After " + wait.toSeconds() + "s");
            updateState(rateLimited);
        } else {
            updateState(null);
        }
        throw failure;
    }

    /** Remembers that the system refused our credentials, alerts once, and fails fast for the cool-down. */
    private void refuse(String reason) {
        refusedReason = reason;
        refusedUntil = Instant.now(clock).plus(settings.credentialsCooldown());
        alerts.raise(alertKey(Status.CREDENTIALS_REJECTED), title(Status.CREDENTIALS_REJECTED), reason);
        updateState(reason);
    }

    private void updateState(String detail) {
        CallOutcomes.Availability seen = availability();
        if (refusedUntil != null) {
            states.record(name, Status.CREDENTIALS_REJECTED, refusedReason);
        } else if (seen.failing()) {
            states.record(name, Status.FAILING, seen.failed() + " of " + seen.calls() + " calls in the last "
                    + CallOutcomes.WINDOW.toSeconds() + " s failed; last: " + seen.lastError());
        } else if (!deniedOperations.isEmpty()) {
            states.record(name, Status.PERMISSION_DENIED, detail != null && deniedOperations.containsValue(detail)
                    ? detail : deniedOperations.values().iterator().next());
        } else if (rateLimited != null) {
            states.record(name, Status.RATE_LIMITED, rateLimited);
        } else {
            states.record(name, Status.OK, detail);
        }
    }

    private HttpOperationFailedException failure(Request request, Response response, Credential credential) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().forEach((key, value) -> headers.put(key, value == null ? null : value.toString()));
        String location = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Location"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        return new HttpOperationFailedException(url(request, credential, true), response.status(),
                response.statusText(), location, headers, response.body());
    }

    /** The request URL; {@code masked} hides the key or token it may carry, for messages and logs. */
    private String url(Request request, Credential credential, boolean masked) {
        if (credential.pathToken() == null && !masked) {
            // The common case, built once per base URL and path instead of on every call.
            String base = baseUrl.get();
            String path = request.path() == null ? "" : request.path();
            String key = base + "\n" + path;
            String known = urls.get(key);
            if (known != null) {
                return known;
            }
            String built = build(base, null, path);
            if (urls.size() < KEPT_URLS) {
                urls.put(key, built);
            }
            return built;
        }
        String token = credential.pathToken() == null ? null : masked ? "xxxxxx" : credential.pathToken();
        String base = build(baseUrl.get(), token, request.path());
        if (!masked) {
            return base;
        }
        String query = query(request, credential, true);
        return query == null ? base : base + "?" + query;
    }

    /**
     * URLs by base and path, for connections whose credential is not in the path: a route's
     * paths are few, and a route that builds paths from data (ids) stops adding at the bound.
     */
    private final Map<String, String> urls = new ConcurrentHashMap<>();
    private static final int KEPT_URLS = 256;

    private static String build(String baseUrl, String pathToken, String path) {
        UriComponentsBuilder url = UriComponentsBuilder.fromUriString(baseUrl);
        if (pathToken != null) {
            url.path("/" + pathToken);
        }
        if (path != null && !path.isEmpty()) {
            url.path("/" + path);
        }
        return ConnectionPaths.requireWithin(baseUrl, url.build().toUriString(), path);
    }

    private static String query(Request request, Credential credential, boolean masked) {
        String query = request.rawQuery() == null || request.rawQuery().isBlank() ? null : request.rawQuery();
        if (credential.queryParam() == null) {
            return query;
        }
        String key = URLEncoder.encode(credential.queryParam(), StandardCharsets.UTF_8) + "="
                + (masked ? "xxxxxx" : URLEncoder.encode(credential.queryValue(), StandardCharsets.UTF_8));
        return query == null ? key : query + "&" + key;
    }

    /**
     * The connection's pooled HTTP client (Apache HttpClient 5), made on first use: sized to
     * {@code max-concurrent}, with the connection's timeouts, no cookies, no redirects and no
     * retries. Used directly rather than through camel-http's producer, whose header mapping
     * and type conversions were a third of a one-call event's CPU.
     */
    private CloseableHttpClient client() {
        CloseableHttpClient ready = client;
        return ready != null ? ready : createClient();
    }

    private synchronized CloseableHttpClient createClient() {
        if (client == null) {
            var pool = PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(settings.maxConcurrent())
                    .setMaxConnPerRoute(settings.maxConcurrent())
                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                            .setSocketTimeout(Timeout.of(settings.readTimeout())).build())
                    .setDefaultSocketConfig(SocketConfig.custom()
                            .setSoTimeout(Timeout.of(settings.readTimeout())).setTcpNoDelay(true).build())
                    .build();
            client = HttpClientBuilder.create()
                    .setConnectionManager(pool)
                    .setDefaultRequestConfig(RequestConfig.custom()
                            .setResponseTimeout(Timeout.of(settings.readTimeout()))
                            // Waiting for a free pooled connection counts against the read timeout, not forever.
                            .setConnectionRequestTimeout(Timeout.of(settings.readTimeout()))
                            .build())
                    // Retrying is the inbox's decision (backoff, Retry-After, dead letters), so the
                    // HTTP client must not quietly retry a 429 or 503 on its own.
                    .disableAutomaticRetries()
                    .disableRedirectHandling()
                    .disableCookieManagement()
                    .setUserAgent("Switchboard")
                    .build();
        }
        return client;
    }

    synchronized void close() {
        if (client != null) {
            client.close(CloseMode.GRACEFUL);
            client = null;
        }
    }

    private String alertKey(Status status) {
        return "connection:" + name + ":" + status.label();
    }

    private String title(Status status) {
        return switch (status) {
            case CREDENTIALS_REJECTED -> "Connection " + name + ": credentials rejected";
            case PERMISSION_DENIED -> "Connection " + name + ": permission denied";
            default -> "Connection " + name + ": " + status.label();
        };
    }

    boolean isOAuth2() {
        return settings.auth().type() == AuthType.OAUTH2_CLIENT_CREDENTIALS
                || settings.auth().type() == AuthType.OAUTH2_AUTHORIZATION_CODE;
    }

    /** The "Connect account" side of an authorization-code connection; empty for other kinds. */
    Optional<OAuth2AuthorizationCode> authorizationCode() {
        return auth instanceof OAuth2AuthorizationCode granted ? Optional.of(granted)
                : Optional.empty();
    }

    /** Connected (again) by a person: calls may go; the state says so until a call says otherwise. */
    void markConnected() {
        refusedUntil = null;
        refusedReason = null;
        states.record(name, Status.OK, null);
    }

    /**
     * The party that refused the credentials restored them (a drill un-revoking the sandbox
     * client it revoked): the cool-down's fail-fast has nothing left to protect, so it ends now
     * and calls go again. The refusal is remembered until a call succeeds, which resolves its
     * alert and state as after any cool-down; a call still refused starts another.
     */
    public void credentialsRestored() {
        Instant now = Instant.now(clock);
        Instant until = refusedUntil;
        if (until != null && now.isBefore(until)) {
            refusedUntil = now;
        }
    }

    /** Not usable until a person connects it (never connected, disconnected, grant refused). */
    void markNeedsConnecting(String why) {
        states.record(name, Status.NEEDS_CONNECTING, why);
    }
}
