package io.switchboard.alerting;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.journal.IntegrationHealth;
import io.switchboard.reliability.ProbeHttp;
import io.switchboard.support.EventStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Alerts reach a person once per outage, say when it is over, notice silence, and never hold up events. */
@SwitchboardTest
class AlertsTest {

    @Autowired
    ProbeHttp probeHttp;

    @Autowired
    Alerts alerts;

    @Autowired
    AlertChecks checks;

    @Autowired
    AlertDelivery delivery;

    @Autowired
    IntegrationHealth health;

    @Autowired
    InboxStore inbox;

    @Autowired
    InboxSignal signal;

    @Autowired
    JdbcTemplate jdbc;

    private WireMockServer target;

    @BeforeEach
    void setUp() throws Exception {
        target = probeHttp.server();
        target.resetAll();
        target.stubFor(post("/orders").willReturn(ok("{}")));
        target.stubFor(post("/chat").willReturn(ok("ok")));
        alerts.syncActiveKeys();
        alerts.active().forEach(alert -> alerts.resolve(alert.key()));
        delivery.drain(5000);
        target.resetRequests();
    }

    @Test
    void deadLettersOfOneOutageRaiseOneChatMessage() throws Exception {
        target.stubFor(post("/orders").willReturn(aResponse().withStatus(400)));
        List<String> events = List.of(send(), send(), send());
        events.forEach(id -> awaitStatus(id, "DEAD"));
        delivery.drain(5000);
        List<LoggedRequest> messages = chat("Dead letter parked for probe-http");
        assertThat(messages).hasSize(1);
        assertThat(alerts.active()).filteredOn(a -> a.key().equals(AlertChecks.deadLetterKey("probe-http")))
                .singleElement().satisfies(alert -> assertThat(alert.count()).isEqualTo(3));
    }

    @Test
    void fiftyFailuresInAMinuteRaiseOneGroupedAlertThenARecoveryMessage() throws Exception {
        String eventId = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("insert into event (id, integration, status, attempts, payload, received_at, updated_at) "
                + "values (?, 'probe-limited', 'FAILED', 50, '{}', ?, ?)", eventId, now, now);
        for (int i = 0; i < 50; i++) {
            jdbc.update("insert into event_step (event_id, at, step, outcome) values (?, ?, 'attempt-failed', 'retry')",
                    eventId, now);
        }
        checks.check();
        checks.check();
        delivery.drain(5000);
        assertThat(chat("Failure rate over 50% for probe-limited")).hasSize(1);

        jdbc.update("delete from event_step where event_id = ?", eventId);
        jdbc.update("delete from event where id = ?", eventId);
        checks.check();
        delivery.drain(5000);
        List<LoggedRequest> recovered = chat("Recovered: Failure rate over 50% for probe-limited");
        assertThat(recovered).hasSize(1);
        assertThat(recovered.get(0).getBodyAsString()).contains("2 occurrence(s)");
    }

    @Test
    void integrationWithoutTrafficForItsExpectedIntervalRaisesASilenceAlert() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> "silent".equals(health.all().get("probe-quiet").sla()));
        checks.check();
        delivery.drain(5000);
        assertThat(chat("No events for probe-quiet")).hasSize(1);
    }

    @Test
    void chatChannelThatIsDownDoesNotHoldUpProcessing() throws Exception {
        target.stubFor(post("/chat").willReturn(aResponse().withStatus(503).withFixedDelay(4000)));
        target.stubFor(post("/orders").withRequestBody(containing("bad-")).willReturn(aResponse().withStatus(400)));
        long started = System.nanoTime();
        String dead = send("bad-" + UUID.randomUUID());
        String fine = send("ok-" + UUID.randomUUID());
        awaitStatus(dead, "DEAD");
        awaitStatus(fine, "DONE");
        String third = send("ok-" + UUID.randomUUID());
        awaitStatus(third, "DONE");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMs).as("events settled while the chat was hanging").isLessThan(4000);
        delivery.drain(10000);
    }

    private String send() {
        return send("order-" + UUID.randomUUID());
    }

    private String send(String orderId) {
        String eventId = inbox.enqueue("probe-http", "alert-" + UUID.randomUUID(), "{\"orderId\":\"" + orderId + "\"}");
        signal.wake("probe-http");
        return eventId;
    }

    private void awaitStatus(String eventId, String status) {
        EventStatus.await(jdbc, eventId, status, Duration.ofSeconds(20));
    }

    private List<LoggedRequest> chat(String text) {
        return target.findAll(postRequestedFor(urlEqualTo("/chat")).withRequestBody(containing(text)));
    }
}
