package io.switchboard.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.support.EventStatus;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Every integration fails the same careful way: once per key, retries that fit the failure, dead letters, replay. */
@SwitchboardTest
class ReliabilityTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InboxStore inbox;

    @Autowired
    InboxSignal signal;

    @Autowired
    ProbeHttp probeHttp;

    @Autowired
    IdempotencyRepositories idempotency;

    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer target;

    @BeforeEach
    void setUp() {
        target = probeHttp.server();
        target.resetAll();
        target.stubFor(post("/orders").willReturn(ok("{}")));
    }

    @Test
    void sameKeyThreeTimesIsProcessedOnce() {
        String orderId = "order-" + UUID.randomUUID();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(send("{\"orderId\":\"" + orderId + "\"}"));
        }
        events.forEach(id -> awaitStatus(id, "DONE"));
        assertThat(callsFor(orderId)).hasSize(1);
    }

    @Test
    void threeServiceUnavailableThenOkIsDoneAfterFourAttempts() {
        String orderId = "order-" + UUID.randomUUID();
        stubSequence(orderId, aResponse().withStatus(503), aResponse().withStatus(503), aResponse().withStatus(503),
                aResponse().withStatus(200).withBody("{}"));
        String eventId = send("{\"orderId\":\"" + orderId + "\"}");
        awaitStatus(eventId, "DONE");
        assertThat(attempts(eventId)).isEqualTo(4);
        assertThat(callsFor(orderId)).hasSize(4);
        assertThat(steps(eventId)).filteredOn("attempt-failed"::equals).hasSize(3);
    }

    @Test
    void rateLimitedWithRetryAfterWaitsAtLeastThatLong() {
        String orderId = "order-" + UUID.randomUUID();
        stubSequence(orderId, aResponse().withStatus(429).withHeader("Retry-After", "2"),
                aResponse().withStatus(200).withBody("{}"));
        String eventId = send("{\"orderId\":\"" + orderId + "\"}");
        awaitStatus(eventId, "DONE");
        List<LoggedRequest> calls = callsFor(orderId);
        assertThat(calls).hasSize(2);
        long waitedMs = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertThat(waitedMs).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void badRequestIsDeadAtOnceAsInvalidData() {
        String orderId = "order-" + UUID.randomUUID();
        stubSequence(orderId, aResponse().withStatus(400).withBody("{\"error\":\"bad order\"}"));
        String payload = "{\"orderId\":\"" + orderId + "\",\"note\":\"as received\"}";
        String eventId = send(payload);
        awaitStatus(eventId, "DEAD");
        assertThat(attempts(eventId)).isOne();
        Map<String, Object> letter = jdbc.queryForMap("select * from dead_letter where event_id = ?", eventId);
        assertThat(letter.get("category")).isEqualTo("invalid-data");
        assertThat(letter.get("payload")).isEqualTo(payload);
        assertThat(letter.get("integration")).isEqualTo("probe-http");
        assertThat(letter.get("route_id")).isEqualTo("probe-http");
        assertThat((String) letter.get("exception_message")).contains("HTTP 400");
        assertThat(letter.get("status")).isEqualTo("PARKED");
    }

    @Test
    void deadLetterReplayedAfterTheFaultIsFixedIsDone() throws Exception {
        String orderId = "order-" + UUID.randomUUID();
        stubSequence(orderId, aResponse().withStatus(400), aResponse().withStatus(200).withBody("{}"));
        String eventId = send("{\"orderId\":\"" + orderId + "\"}");
        awaitStatus(eventId, "DEAD");
        String letterId = jdbc.queryForObject("select id from dead_letter where event_id = ?", String.class, eventId);

        HttpResponse<String> byViewer = postAs("viewer:viewer-test-password", "/api/dead-letters/" + letterId + "/replay");
        assertThat(byViewer.statusCode()).isEqualTo(403);
        HttpResponse<String> listed = getAs("viewer:viewer-test-password", "/api/dead-letters?integration=probe-http");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(letterId);

        HttpResponse<String> replay = postAs("operator:operator-test-password",
                "/api/dead-letters/" + letterId + "/replay");
        assertThat(replay.statusCode()).isEqualTo(200);
        awaitStatus(eventId, "DONE");
        assertThat(steps(eventId)).containsSubsequence("dead", "replayed", "done");
        assertThat(jdbc.queryForObject("select status from dead_letter where id = ?", String.class, letterId))
                .isEqualTo("REPLAYED");
        HttpResponse<String> again = postAs("operator:operator-test-password",
                "/api/dead-letters/" + letterId + "/replay");
        assertThat(again.statusCode()).isEqualTo(409);
    }

    @Test
    void replayOfAnEventAWorkerHoldsIsRefusedAndChangesNothing() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String orderId = "order-" + UUID.randomUUID();
        stubSequence(orderId, aResponse().withStatus(400), aResponse().withStatus(200).withBody("{}"));
        String eventId = send("{\"orderId\":\"" + orderId + "\"}");
        awaitStatus(eventId, "DEAD");
        String letterId = jdbc.queryForObject("select id from dead_letter where event_id = ?", String.class, eventId);
        // A re-run of the same event that a worker on node-b has claimed and is running.
        Timestamp leasedUntil = Timestamp.from(Instant.now().plus(Duration.ofMinutes(5))
                .truncatedTo(ChronoUnit.SECONDS));
        jdbc.update("insert into inbox (event_id, integration, not_before, lease_owner, lease_until) values (?, ?, ?, ?, ?)",
                eventId, "probe-http", Timestamp.from(Instant.now()), "node-b", leasedUntil);
        jdbc.update("update event set status = 'PROCESSING', attempts = 1 where id = ?", eventId);

        HttpResponse<String> replay = postAs("operator:operator-test-password",
                "/api/dead-letters/" + letterId + "/replay");
        HttpResponse<String> bulk = postAs("operator:operator-test-password",
                "/api/dead-letters/replay?integration=probe-http&since=" + before);

        assertThat(replay.statusCode()).isEqualTo(409);
        assertThat(json.readTree(replay.body()).get("detail").asText())
                .contains("Event " + eventId + " is being processed by node node-b until " + leasedUntil.toInstant())
                .contains("try again after");
        assertThat(replay.headers().firstValue("Retry-After")).isPresent();
        assertThat(bulk.statusCode()).isEqualTo(200);
        assertThat(json.readTree(bulk.body()).get("replayed").asInt()).isZero();
        assertThat(json.readTree(bulk.body()).get("beingProcessed").toString()).contains(letterId);
        assertThat(jdbc.queryForObject("select status from dead_letter where id = ?", String.class, letterId))
                .isEqualTo("PARKED");
        assertThat(jdbc.queryForMap("select lease_owner, lease_until from inbox where event_id = ?", eventId))
                .containsEntry("lease_owner", "node-b");
        assertThat(jdbc.queryForMap("select status, attempts from event where id = ?", eventId))
                .containsEntry("status", "PROCESSING").containsEntry("attempts", 1);
        assertThat(steps(eventId)).doesNotContain("replayed");

        // The worker is done (or its node died and the lease ran out): the replay goes through.
        jdbc.update("update inbox set lease_until = ? where event_id = ?", Timestamp.from(Instant.now().minusSeconds(1)),
                eventId);
        assertThat(postAs("operator:operator-test-password", "/api/dead-letters/" + letterId + "/replay").statusCode())
                .isEqualTo(200);
        signal.wake("probe-http");
        awaitStatus(eventId, "DONE");
        assertThat(steps(eventId)).containsSubsequence("dead", "replayed", "done");
    }

    @Test
    void expiredIdempotencyKeysArePurgedAndRecentOnesKept() {
        jdbc.update("insert into camel_messageprocessed (id, processor_name, message_id, created_at) values (?, ?, ?, ?)",
                -1L, "probe-http", "old-key", Timestamp.from(Instant.now().minus(Duration.ofDays(31))));
        jdbc.update("insert into camel_messageprocessed (id, processor_name, message_id, created_at) values (?, ?, ?, ?)",
                -2L, "probe-http", "recent-key", Timestamp.from(Instant.now().minus(Duration.ofDays(29))));
        assertThat(idempotency.purgeExpiredKeys()).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.queryForList("select message_id from camel_messageprocessed where id < 0", String.class))
                .containsExactly("recent-key");
        jdbc.update("delete from camel_messageprocessed where id < 0");
    }

    @Test
    void burstOf5000EventsNeverExceedsTheTargetsRateLimit() {
        int limit = 400;
        String batch = "burst-" + UUID.randomUUID();
        for (int i = 0; i < 5000; i++) {
            inbox.enqueue("probe-http", batch + "-" + i, "{\"orderId\":\"" + batch + "-" + i + "\"}");
        }
        signal.wake("probe-http");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() ->
                jdbc.queryForObject("select count(*) from event where delivery_id like ? and status = 'DONE'",
                        Integer.class, batch + "%") == 5000);
        List<Long> times = new ArrayList<>();
        for (LoggedRequest request : target.findAll(postRequestedFor(urlEqualTo("/orders")))) {
            if (request.getBodyAsString().contains(batch)) {
                times.add(request.getLoggedDate().getTime());
            }
        }
        Collections.sort(times);
        assertThat(times).hasSize(5000);
        int busiestSecond = 0;
        for (int start = 0, end = 0; end < times.size(); end++) {
            while (times.get(end) - times.get(start) >= 1000) {
                start++;
            }
            busiestSecond = Math.max(busiestSecond, end - start + 1);
        }
        System.out.printf("burst: 5000 events in %d ms, busiest 1 s window %d requests (limit %d)%n",
                times.get(times.size() - 1) - times.get(0), busiestSecond, limit);
        assertThat(busiestSecond).isLessThanOrEqualTo(limit);
    }

    private String send(String payload) {
        String eventId = inbox.enqueue("probe-http", "test-" + UUID.randomUUID(), payload);
        signal.wake("probe-http");
        return eventId;
    }

    private void stubSequence(String orderId, ResponseDefinitionBuilder... answers) {
        String scenario = "scenario-" + orderId;
        for (int i = 0; i < answers.length; i++) {
            target.stubFor(post("/orders")
                    .withRequestBody(WireMock.containing(orderId))
                    .inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? STARTED : "step-" + i)
                    .willSetStateTo("step-" + (i + 1))
                    .willReturn(answers[i]));
        }
    }

    private List<LoggedRequest> callsFor(String orderId) {
        return target.findAll(postRequestedFor(urlEqualTo("/orders"))
                .withRequestBody(WireMock.containing(orderId)));
    }

    private void awaitStatus(String eventId, String status) {
        EventStatus.await(jdbc, eventId, status, Duration.ofSeconds(20));
    }

    private int attempts(String eventId) {
        return jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId);
    }

    private List<String> steps(String eventId) {
        return jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId);
    }

    private HttpResponse<String> postAs(String credentials, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", basic(credentials))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getAs(String credentials, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", basic(credentials)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String credentials) {
        String[] userAndPassword = credentials.split(":", 2);
        return TestUsers.basic(userAndPassword[0], userAndPassword[1]);
    }
}
