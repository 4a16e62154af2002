package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.Webhooks;
import io.switchboard.support.EventStatus;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Accepted events wait in the inbox until their route succeeds; nothing accepted is lost. */
@SwitchboardTest
class InboxProcessingTest {

    static final String SECRET = "whsec_bmV3LXByb2JlLXNlY3JldA==";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ProbeTarget probe;

    @Autowired
    InboxStore inbox;

    @Autowired
    CamelContext camel;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() {
        probe.reset();
    }

    @AfterEach
    void tearDown() throws Exception {
        probe.reset();
        if (!camel.getRouteController().getRouteStatus("probe").isStarted()) {
            camel.getRouteController().startRoute("probe");
        }
    }

    @Test
    void eventAcceptedWhileTheRouteFailsStaysInTheInboxAndIsProcessedWhenItRecovers() throws Exception {
        probe.setDown(true);
        var response = new Webhooks(port).postSigned("probe", SECRET, "{\"orderId\":\"o-down\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json.readTree(response.body()).get("eventId").asText();

        await().atMost(Duration.ofSeconds(20)).until(() -> attempts(eventId) >= 3);
        assertThat(status(eventId)).isIn("FAILED", "PROCESSING");
        assertThat(inboxRows(eventId)).isOne();
        assertThat(jdbc.queryForObject("select last_error from event where id = ?", String.class, eventId))
                .contains("transient").contains("ConnectException");

        probe.setDown(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(eventId)));
        assertThat(inboxRows(eventId)).isZero();
        assertThat(probe.processed()).containsOnlyOnce(eventId);
        assertThat(jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId))
                .contains("received", "attempt-failed", "done");
    }

    @Test
    void eventLeasedByANodeThatDiedIsTakenAgainWhenTheLeaseRunsOut() {
        // A node that was killed mid-event leaves exactly this behind: a row leased to it.
        String eventId = inbox.enqueue("probe", "dead-node-" + System.nanoTime(), "{\"orderId\":\"o-orphan\"}");
        jdbc.update("update inbox set lease_owner = 'node-killed-with-9', lease_until = ? where event_id = ?",
                Timestamp.from(Instant.now().plusSeconds(1)), eventId);
        jdbc.update("update event set status = 'PROCESSING', attempts = 1 where id = ?", eventId);

        await().atMost(Duration.ofSeconds(15)).until(() -> "DONE".equals(status(eventId)));
        assertThat(probe.processed()).containsOnlyOnce(eventId);
        assertThat(attempts(eventId)).isEqualTo(2);
    }

    @Test
    void routeStoppedMidEventProcessesItAfterRestart() throws Exception {
        var entered = probe.holdNext();
        var response = new Webhooks(port).postSigned("probe", SECRET, "{\"orderId\":\"o-stop\"}");
        String eventId = json.readTree(response.body()).get("eventId").asText();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // Stopping gives the event in hand a short grace; it is still held, so it is cut off.
        probe.setDown(true);
        Thread stopper = new Thread(() -> {
            try {
                camel.getRouteController().stopRoute("probe", 1, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the assertion below tells whether the event survived
            }
        });
        stopper.start();
        probe.release();
        stopper.join(45_000);
        assertThat(status(eventId)).isNotEqualTo("DONE");
        assertThat(inboxRows(eventId)).isOne();

        probe.setDown(false);
        camel.getRouteController().startRoute("probe");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(eventId)));
        assertThat(probe.processed()).containsOnlyOnce(eventId);
    }

    private String status(String eventId) {
        return EventStatus.of(jdbc, eventId);
    }

    private int attempts(String eventId) {
        return jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId);
    }

    private int inboxRows(String eventId) {
        return jdbc.queryForObject("select count(*) from inbox where event_id = ?", Integer.class, eventId);
    }
}
