package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.springframework.jdbc.core.JdbcTemplate;

/** An event's status in the journal, read once or waited for: the one copy of that query for every test. */
public final class EventStatus {

    private EventStatus() {
    }

    /** The event's status now (RECEIVED, DONE, FAILED, WAITING, DEAD, ...); fails for no such event. */
    public static String of(JdbcTemplate jdbc, String eventId) {
        return jdbc.queryForObject("select status from event where id = ?", String.class, eventId);
    }

    /** Waits until the event reaches the status; a timeout names the status it was left in. */
    public static void await(JdbcTemplate jdbc, String eventId, String status, Duration atMost) {
        Awaitility.await().atMost(atMost).untilAsserted(() ->
                assertThat(of(jdbc, eventId)).as("status of event " + eventId).isEqualTo(status));
    }
}
