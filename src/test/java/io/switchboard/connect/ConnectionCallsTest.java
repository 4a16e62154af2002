package io.switchboard.connect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.switchboard.alerting.Alerts;
import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.alerting.TestAlerts;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.connect.ConnectionsProperties.Auth;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import io.switchboard.reliability.ErrorCategory;
import io.switchboard.reliability.Failure;
import io.switchboard.support.MutableClock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/**
 * Calls through {@code connection:} against a WireMock API and token endpoint, with the
 * connection machinery built by hand (no Spring context), so each test sets its own
 * connection, clock and answers.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionCallsTest {

    static final String CLIENT_SECRET = "wiremock-client-secret-1234";
    static final String API_KEY = "wiremock-api-key-5678";

    private final WireMockServer api = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final RecordingAlertSink alertSink = new RecordingAlertSink();
    private final MutableClock clock = new MutableClock();
    private final MockEnvironment environment = new MockEnvironment();
    private ConnectionStates states;
    private Connections connections;
    private CamelContext camel;
    private ProducerTemplate template;

    @BeforeEach
    void startApi() {
        api.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (camel != null) {
            camel.stop();
        }
        if (connections != null) {
            connections.destroy();
        }
        api.stop();
    }

    @Test
    void manyCallsShareOneToken() throws Exception {
        tokenEndpointAnswers("token-a", 300, "contacts:read");
        api.stubFor(get("/crm/contacts").withHeader("Authorization", equalTo("Bearer token-a")).willReturn(okJson("[]")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Exchange>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(pool.submit(() -> call("connection:crm/contacts", null)));
        }
        for (Future<Exchange> call : calls) {
            assertThat(call.get().getException()).isNull();
            assertThat(call.get().getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        }
        pool.shutdown();
        api.verify(exactly(1), postRequestedFor(urlPathEqualTo("/oauth/token")));
        api.verify(exactly(40), getRequestedFor(urlPathEqualTo("/crm/contacts")));
    }

    @Test
    void tokenIsRenewedShortlyBeforeItExpires() {
        tokenEndpointAnswersInTurn("token-a", "token-b", 120);
        api.stubFor(get("/crm/contacts").willReturn(okJson("[]")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        assertThat(call("connection:crm/contacts", null).getException()).isNull();
        clock.advance(Duration.ofSeconds(60));
        assertThat(call("connection:crm/contacts", null).getException()).isNull();
        api.verify(exactly(1), postRequestedFor(urlPathEqualTo("/oauth/token")));

        // 30 s before expiry (refresh-before) the next call gets a new token.
        clock.advance(Duration.ofSeconds(35));
        assertThat(call("connection:crm/contacts", null).getException()).isNull();
        api.verify(exactly(2), postRequestedFor(urlPathEqualTo("/oauth/token")));
        api.verify(exactly(1), getRequestedFor(urlPathEqualTo("/crm/contacts"))
                .withHeader("Authorization", equalTo("Bearer token-b")));
    }

    @Test
    void expiredTokenIsRefreshedOnceThenRetried() {
        tokenEndpointAnswersInTurn("token-a", "token-b", 300);
        api.stubFor(get("/crm/contacts").withHeader("Authorization", equalTo("Bearer token-a"))
                .willReturn(aResponse().withStatus(401)
                        .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
        api.stubFor(get("/crm/contacts").withHeader("Authorization", equalTo("Bearer token-b"))
                .willReturn(okJson("[{\"id\":\"c1\"}]")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        Exchange answer = call("connection:crm/contacts", null);

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody(String.class)).contains("c1");
        api.verify(exactly(2), postRequestedFor(urlPathEqualTo("/oauth/token")));
        api.verify(exactly(2), getRequestedFor(urlPathEqualTo("/crm/contacts")));
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.OK);
    }

    @Test
    void tokenEndpointRefusingTheClientFailsAsCredentialsOnceAlertedWithoutARetryStorm() {
        api.stubFor(post("/oauth/token").willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_client\",\"error_description\":\"client revoked\"}")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        for (int i = 0; i < 10; i++) {
            Failure failure = Failure.of(call("connection:crm/contacts", null).getException());
            assertThat(failure.category()).isEqualTo(ErrorCategory.CREDENTIALS);
            assertThat(failure.message()).contains("refused the client").doesNotContain(CLIENT_SECRET);
        }
        // Within the cool-down the token endpoint is asked once, not once per call.
        api.verify(exactly(1), postRequestedFor(urlPathEqualTo("/oauth/token")));
        api.verify(exactly(0), getRequestedFor(urlPathEqualTo("/crm/contacts")));
        assertThat(alertSink.raised("connection:crm:credentials-rejected")).hasSize(1);
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.CREDENTIALS_REJECTED);

        // After the cool-down one call asks again; when the client works again, the outage ends.
        clock.advance(Duration.ofMinutes(1));
        api.resetAll();
        tokenEndpointAnswers("token-c", 300, "contacts:read");
        api.stubFor(get("/crm/contacts").willReturn(okJson("[]")));
        assertThat(call("connection:crm/contacts", null).getException()).isNull();
        assertThat(states.get("crm").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(alertSink.resolved("connection:crm:credentials-rejected")).hasSize(1);
    }

    @Test
    void tokenEndpointDownIsATransientFailure() {
        api.stubFor(post("/oauth/token").willReturn(aResponse().withStatus(503)));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        Failure failure = Failure.of(call("connection:crm/contacts", null).getException());

        assertThat(failure.category()).isEqualTo(ErrorCategory.TRANSIENT);
        assertThat(failure.message()).contains("token endpoint").contains("503");
        assertThat(alertSink.raised("connection:crm:credentials-rejected")).isEmpty();
    }

    @Test
    void connectionAsksOnlyForTheCardsScopesAndWarnsAboutExtraScopesGranted(CapturedOutput output) {
        tokenEndpointAnswers("token-a", 300, "contacts:read contacts:write tasks:write admin:all");
        api.stubFor(get("/crm/contacts").willReturn(okJson("[]")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read", "contacts:write")));

        assertThat(call("connection:crm/contacts", null).getException()).isNull();

        api.verify(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withRequestBody(WireMock.containing(
                        "scope=contacts%3Aread+contacts%3Awrite")));
        assertThat(output.getOut()).contains("extra scope(s) [admin:all, tasks:write]");
    }

    @Test
    void forbiddenCallFailsAsPermissionNamingTheMissingScope() {
        tokenEndpointAnswers("token-a", 300, "contacts:read");
        api.stubFor(post("/crm/tasks").willReturn(aResponse().withStatus(403)
                .withHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"tasks:write\"")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"insufficient_scope\",\"scope\":\"tasks:write\"}")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        Exchange answer = call("connection:crm/tasks?method=POST", "{\"title\":\"call back\"}");

        assertThat(answer.getException()).isInstanceOf(HttpOperationFailedException.class);
        Failure failure = Failure.of(answer.getException());
        assertThat(failure.category()).isEqualTo(ErrorCategory.PERMISSION);
        assertThat(failure.message()).contains("missing scope tasks:write");
        ConnectionState state = states.get("crm").orElseThrow();
        assertThat(state.status()).isEqualTo(Status.PERMISSION_DENIED);
        assertThat(state.detail()).contains("POST tasks").contains("tasks:write");
        assertThat(alertSink.raised("connection:crm:permission-denied")).hasSize(1);
    }

    @Test
    void rateLimitedAnswerSurfacesWithItsHeadersAndRetryAfter() {
        api.stubFor(get("/mail/messages").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        Exchange answer = call("connection:mail/messages", null);

        HttpOperationFailedException http = (HttpOperationFailedException) answer.getException();
        assertThat(http.getStatusCode()).isEqualTo(429);
        assertThat(http.getResponseHeaders()).containsEntry("Retry-After", "7");
        Failure failure = Failure.of(http);
        assertThat(failure.category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.RATE_LIMITED);
        // Retrying is the inbox's decision: the HTTP client does not quietly try again.
        api.verify(exactly(1), getRequestedFor(urlPathEqualTo("/mail/messages"))
                .withHeader("X-Mail-Api-Key", equalTo(API_KEY)));
    }

    @Test
    void aSystemAnswering503IsFailingWithTheShareAndLastErrorUntilCallsSucceedAgain() {
        api.stubFor(get("/mail/messages").willReturn(aResponse().withStatus(503)));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        call("connection:mail/messages", null);
        call("connection:mail/messages", null);
        assertThat(states.get("mail").orElseThrow().status()).as("two failures are not an outage yet")
                .isEqualTo(Status.OK);
        call("connection:mail/messages", null);
        ConnectionState failing = states.get("mail").orElseThrow();
        assertThat(failing.status()).isEqualTo(Status.FAILING);
        assertThat(failing.detail()).contains("3 of 3 calls").contains("GET messages answered 503");
        Instant since = failing.since();
        assertThat(connections.get("mail").availability().failingShare()).isEqualTo(1.0);

        api.stubFor(get("/mail/messages").willReturn(okJson("[]")));
        clock.advance(Duration.ofSeconds(1));
        call("connection:mail/messages", null);
        assertThat(states.get("mail").orElseThrow().status()).as("one lucky call in an outage").isEqualTo(Status.FAILING);
        assertThat(states.get("mail").orElseThrow().since()).isEqualTo(since);
        call("connection:mail/messages", null);
        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(connections.get("mail").availability().lastError())
                .isEqualTo("GET messages answered 503");
    }

    @Test
    void aRefusedConnectionCountsAsTheSystemBeingAway() {
        var away = new ConnectionsProperties.Connection("http://127.0.0.1:1/away", null, Duration.ofMillis(500),
                Duration.ofMillis(500), 0, 1, null);
        start(Map.of("away", away), Map.of());

        for (int i = 0; i < 3; i++) {
            assertThat(call("connection:away/things", null).getException()).isNotNull();
        }

        ConnectionState state = states.get("away").orElseThrow();
        assertThat(state.status()).isEqualTo(Status.FAILING);
        assertThat(state.detail()).contains("GET things").contains("Connection refused");
    }

    @Test
    void threeFailuresInARowMakeItFailingEvenAfterABusyGoodMinute() {
        api.stubFor(get("/mail/messages").willReturn(okJson("[]")));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());
        for (int i = 0; i < 20; i++) {
            call("connection:mail/messages", null);
        }
        api.stubFor(get("/mail/messages").willReturn(aResponse().withStatus(502)));

        call("connection:mail/messages", null);
        call("connection:mail/messages", null);
        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.OK);
        call("connection:mail/messages", null);

        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.FAILING);
        assertThat(states.get("mail").orElseThrow().detail()).contains("3 of 23 calls");
    }

    @Test
    void answersOfASystemThatIsThereNeverMakeItFailing() {
        api.stubFor(get("/mail/messages").willReturn(aResponse().withStatus(404)));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        for (int i = 0; i < 5; i++) {
            call("connection:mail/messages", null);
        }

        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(connections.get("mail").availability().calls()).isEqualTo(5);
        assertThat(connections.get("mail").availability().failed()).isZero();
    }

    @Test
    void missingApiKeyIsAClearCredentialsErrorNamingTheVariable() {
        environment.setProperty("switchboard.connections.mail.auth.key", "${MAIL_API_KEY:}");
        start(Map.of("mail", apiKeyInHeader("")), Map.of());

        Failure failure = Failure.of(call("connection:mail/messages", "{}").getException());

        assertThat(failure.category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(failure.message()).contains("Connection 'mail' has no API key")
                .contains("switchboard.connections.mail.auth.key").contains("MAIL_API_KEY");
        api.verify(exactly(0), postRequestedFor(urlPathEqualTo("/mail/messages")));
    }

    @Test
    void refusedApiKeyFailsAsCredentialsAndFailsFastDuringTheCooldown() {
        api.stubFor(post("/mail/messages").willReturn(aResponse().withStatus(401)));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        Failure first = Failure.of(call("connection:mail/messages", "{}").getException());
        Failure second = Failure.of(call("connection:mail/messages", "{}").getException());

        assertThat(first.category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(second.category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(second.message()).contains("not asking again until");
        api.verify(exactly(1), postRequestedFor(urlPathEqualTo("/mail/messages")));
        assertThat(states.get("mail").orElseThrow().status()).isEqualTo(Status.CREDENTIALS_REJECTED);
        assertThat(alertSink.raised("connection:mail:credentials-rejected")).hasSize(1);
    }

    @Test
    void basicBearerAndPathTokenCredentialsAreSentTheirWay() {
        api.stubFor(get(urlPathEqualTo("/basic/ping")).willReturn(okJson("{}")));
        api.stubFor(get(urlPathEqualTo("/bearer/ping")).willReturn(okJson("{}")));
        api.stubFor(post(urlPathEqualTo("/hooks/T000/B000/XXXX")).willReturn(aResponse().withStatus(200).withBody("ok")));
        start(Map.of(
                "basic", new ConnectionsProperties.Connection(api.baseUrl() + "/basic", new Auth(AuthType.BASIC, null,
                        null, null, "switchboard", "basic-password", null, null, null, null, null, null, null),
                        null, null, 0, 0, null),
                "bearer", new ConnectionsProperties.Connection(api.baseUrl() + "/bearer", new Auth(AuthType.BEARER, null,
                        null, null, null, null, "static-token", null, null, null, null, null, null), null, null, 0, 0, null),
                "chat", new ConnectionsProperties.Connection(api.baseUrl() + "/hooks", new Auth(AuthType.PATH_TOKEN, null,
                        null, null, null, null, "T000/B000/XXXX", null, null, null, null, null, null), null, null, 0, 0,
                        null)), Map.of());

        assertThat(call("connection:basic/ping", null).getException()).isNull();
        assertThat(call("connection:bearer/ping", null).getException()).isNull();
        assertThat(call("connection:chat", "{\"text\":\"hi\"}").getMessage().getBody(String.class)).isEqualTo("ok");

        api.verify(getRequestedFor(urlPathEqualTo("/basic/ping")).withHeader("Authorization",
                equalTo("Basic c3dpdGNoYm9hcmQ6YmFzaWMtcGFzc3dvcmQ=")));
        api.verify(getRequestedFor(urlPathEqualTo("/bearer/ping")).withHeader("Authorization",
                equalTo("Bearer static-token")));
    }

    @Test
    void readTimeoutApplies() {
        api.stubFor(get("/slow/things").willReturn(okJson("[]").withFixedDelay(3_000)));
        var slow = new ConnectionsProperties.Connection(api.baseUrl() + "/slow", null, Duration.ofSeconds(1),
                Duration.ofMillis(300), 0, 1, null);
        start(Map.of("slow", slow), Map.of());

        long started = System.nanoTime();
        Failure failure = Failure.of(call("connection:slow/things", null).getException());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
        assertThat(failure.category()).isEqualTo(ErrorCategory.TRANSIENT);
        assertThat(failure.message()).containsIgnoringCase("timeout");
    }

    @Test
    void apiKeyInTheQueryIsSentButNeverShown(CapturedOutput output) {
        api.stubFor(get(urlPathEqualTo("/billing/invoices")).willReturn(aResponse().withStatus(500)));
        var billing = new ConnectionsProperties.Connection(api.baseUrl() + "/billing", new Auth(AuthType.API_KEY, null,
                "api_key", API_KEY, null, null, null, null, null, null, null, null, null), null, null, 0, 0, null);
        start(Map.of("billing", billing), Map.of());

        Exchange answer = call("connection:billing/invoices", null, Map.of(Exchange.HTTP_QUERY, "limit=10"));

        api.verify(getRequestedFor(urlPathEqualTo("/billing/invoices"))
                .withQueryParam("api_key", equalTo(API_KEY)).withQueryParam("limit", equalTo("10")));
        HttpOperationFailedException http = (HttpOperationFailedException) answer.getException();
        assertThat(http.getUri()).contains("api_key=xxxxxx").doesNotContain(API_KEY);
        assertThat(http.getMessage()).doesNotContain(API_KEY);
        assertThat(Failure.of(http).message()).doesNotContain(API_KEY);
        assertThat(output.getAll().lines().filter(l -> l.contains(API_KEY)).toList()).isEmpty();
    }

    @Test
    void credentialsNeverReachTheRoutesMessageOrTheLog(CapturedOutput output) {
        tokenEndpointAnswers("secret-token-value-abc", 300, "contacts:read");
        api.stubFor(get("/crm/contacts").willReturn(okJson("[]").withHeader("X-Request-Id", "r-1")));
        start(Map.of("crm", oauth2()), Map.of("crm", List.of("contacts:read")));

        Exchange answer = call("connection:crm/contacts", null, Map.of("Authorization", "Bearer route-set",
                "SwitchboardEventId", "e-1"));

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getHeaders()).containsEntry("X-Request-Id", "r-1")
                .containsEntry("SwitchboardEventId", "e-1");
        assertThat(answer.getMessage().getHeaders().values().toString()).doesNotContain("secret-token-value-abc");
        // Message headers stay inside the server unless the endpoint forwards them by name.
        api.verify(getRequestedFor(urlPathEqualTo("/crm/contacts"))
                .withHeader("Authorization", equalTo("Bearer secret-token-value-abc"))
                .withoutHeader("SwitchboardEventId"));
        assertThat(output.getAll()).doesNotContain("secret-token-value-abc").doesNotContain(CLIENT_SECRET);
        assertThat(oauth2().auth().toString()).doesNotContain(CLIENT_SECRET);
    }

    @Test
    void namedHeadersAreForwardedAndTheAnswerReplacesTheBody() {
        api.stubFor(post("/mail/messages").willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"m_1\"}")));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        Exchange answer = call("connection:mail/messages?method=POST&headers=Idempotency-Key",
                Map.of("to", "ada@example.com"), Map.of("Idempotency-Key", "lead-42"));

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("{\"id\":\"m_1\"}");
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(202);
        api.verify(postRequestedFor(urlPathEqualTo("/mail/messages"))
                .withHeader("Idempotency-Key", equalTo("lead-42"))
                .withHeader("Content-Type", WireMock.containing("application/json"))
                .withRequestBody(WireMock.equalToJson("{\"to\":\"ada@example.com\"}")));
    }

    @Test
    void aPathBuiltFromTheEventsDataCannotWalkTheSystemWithTheConnectionsKey() throws Exception {
        api.stubFor(WireMock.any(
                WireMock.anyUrl()).willReturn(okJson("{}")));
        start(Map.of("mail", apiKeyInHeader(API_KEY)), Map.of());

        Exchange header = call("connection:mail/messages?method=GET", null,
                Map.of(Exchange.HTTP_PATH, "%2e%2e/%2e%2e/admin/keys"));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:message-by-id").toD("connection:mail/messages/${header.messageId}?method=GET");
            }
        });
        Exchange dynamic = call("direct:message-by-id", null, Map.of("messageId", "..%2f..%2fadmin"));

        for (Exchange refused : List.of(header, dynamic)) {
            Failure failure = Failure.of(refused.getException());
            assertThat(failure.category()).isEqualTo(ErrorCategory.INVALID_DATA);
            assertThat(failure.message()).contains("'..' segment").contains("base URL");
        }
        assertThat(api.getAllServeEvents()).as("nothing reached the system").isEmpty();
    }

    // --- fixture

    private ConnectionsProperties.Connection oauth2() {
        return new ConnectionsProperties.Connection(api.baseUrl() + "/crm", new Auth(AuthType.OAUTH2_CLIENT_CREDENTIALS,
                null, null, null, null, null, null, api.baseUrl() + "/oauth/token", "wiremock-client", CLIENT_SECRET,
                null, "post", null), Duration.ofSeconds(2), Duration.ofSeconds(5), 10, 4, Duration.ofSeconds(30));
    }

    private ConnectionsProperties.Connection apiKeyInHeader(String key) {
        return new ConnectionsProperties.Connection(api.baseUrl() + "/mail", new Auth(AuthType.API_KEY, "X-Mail-Api-Key",
                null, key, null, null, null, null, null, null, null, null, null), null, null, 0, 0, null);
    }

    private void tokenEndpointAnswers(String token, int expiresIn, String scope) {
        api.stubFor(post("/oauth/token").willReturn(okJson("{\"access_token\":\"" + token
                + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"scope\":\"" + scope + "\"}")));
    }

    private void tokenEndpointAnswersInTurn(String first, String second, int expiresIn) {
        api.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"access_token\":\"" + first + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                        + expiresIn + "}")).willSetStateTo("second"));
        api.stubFor(post("/oauth/token").inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(okJson("{\"access_token\":\"" + second + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                        + expiresIn + "}")));
    }

    private void start(Map<String, ConnectionsProperties.Connection> settings, Map<String, List<String>> cardScopes) {
        var card = new IntegrationsProperties.Card(null, null, null, cardScopes, null, null, null, null, null);
        var integrations = new IntegrationsProperties(Map.of("probe", new IntegrationsProperties.Integration(
                Trigger.WEBHOOK, card, null, null, null, null, null)));
        states = new ConnectionStates(clock);
        connections = new Connections(new ConnectionsProperties(new LinkedHashMap<>(settings)), integrations, states,
                TestAlerts.create(List.of(alertSink), clock), environment, clock);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("connection", new ConnectionComponent(connections, new SystemClients(
                new ConnectionsProperties(Map.of()), new ConnectionStates(Clock.systemUTC()), Clock.systemUTC(), () -> 1)));
        camel.start();
        template = camel.createProducerTemplate();
    }

    private Exchange call(String uri, Object body) {
        return call(uri, body, Map.of());
    }

    private Exchange call(String uri, Object body, Map<String, Object> headers) {
        return template.request(uri, exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().getHeaders().putAll(headers);
        });
    }
}
