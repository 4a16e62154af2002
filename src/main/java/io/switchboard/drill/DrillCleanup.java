package io.switchboard.drill;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.switchboard.inbox.InboxStore;
import io.switchboard.inbox.InboxStore.TestClosing;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What a drill leaves behind, closed when it ends: the events it sent and ran, and every test
 * event they emitted down the chain (lead-intake's leads schedule lead-followup events due in
 * two days), found by their delivery ids ({@code drill-<marker>…}, then
 * {@code <emitting event id>:<event name>}). One still waiting leaves the inbox unrun; a
 * dead letter one parked is discarded; each says "drill cleanup" on its trail. Real events are
 * never touched ({@link InboxStore#closeTest}).
 */
@Component
class DrillCleanup {

    static final String WHY = "drill cleanup";

    /** How long events of the drill that a worker holds at its end are given to finish. */
    private static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(30);

    private final JdbcTemplate jdbc;
    private final InboxStore inbox;
    private final Clock clock;

    DrillCleanup(JdbcTemplate jdbc, InboxStore inbox, Clock clock) {
        this.jdbc = jdbc;
        this.inbox = inbox;
        this.clock = clock;
    }

    /** Closes the drill's chain; what was done to how many events (CLOSED, DISCARDED, IN_FLIGHT). */
    Map<TestClosing, Integer> after(DrillContext drill) {
        Map<TestClosing, Integer> done = new EnumMap<>(TestClosing.class);
        Instant giveUp = Instant.now(clock).plus(IN_FLIGHT_WAIT);
        while (true) {
            done.clear();
            for (String event : chain(drill)) {
                done.merge(inbox.closeTest(event, WHY + " (drill of " + drill.id + ", " + drill.marker + ")"), 1,
                        Integer::sum);
            }
            // An event a worker holds may still emit: once it finished, its chain is closed too.
            if (!done.containsKey(TestClosing.IN_FLIGHT) || !Instant.now(clock).isBefore(giveUp)) {
                done.remove(TestClosing.NOTHING);
                return done;
            }
            drill.pause(200);
        }
    }

    /** The drill's own events and, level by level, the test events they emitted. */
    private Set<String> chain(DrillContext drill) {
        Set<String> chain = new LinkedHashSet<>(jdbc.queryForList("select id from event where test_event = true "
                + "and delivery_id like ?", String.class, "drill-" + drill.marker + "%"));
        chain.addAll(drill.runs);
        List<Map<String, Object>> emitted = jdbc.queryForList("select id, delivery_id from event where "
                + "test_event = true and received_at >= ? and delivery_id like '%:%'", Timestamp.from(drill.startedAt));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map<String, Object> row : emitted) {
                String delivery = String.valueOf(row.get("delivery_id"));
                String emitter = delivery.substring(0, delivery.indexOf(':'));
                if (chain.contains(emitter) && chain.add(String.valueOf(row.get("id")))) {
                    grew = true;
                }
            }
        }
        return chain;
    }
}
