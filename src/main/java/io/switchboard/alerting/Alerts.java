package io.switchboard.alerting;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.journal.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Raises alerts so that one outage is one alert with a count, not a storm: the first
 * occurrence of a key is sent, later ones only count (with a reminder at the repeat
 * interval), and resolving it sends a recovery message. The state is in the database,
 * shared by all nodes; sending happens on a delivery thread, so a slow or broken channel
 * never holds up an event.
 */
@Component
public class Alerts {

    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AlertDelivery delivery;
    private final AlertingProperties properties;
    private final Clock clock;
    /** Keys this node knows to be active, so resolving a healthy key costs no query. */
    private final Set<String> knownActive = ConcurrentHashMap.newKeySet();
    /** Alerts sent while the database was unavailable: their recovery is sent without it too. */
    private final Map<String, Alert> sentUnstored = new ConcurrentHashMap<>();

    public Alerts(JdbcTemplate jdbc, PlatformTransactionManager transactions,
            AlertDelivery delivery, AlertingProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(Propagation.REQUIRES_NEW.value());
        this.delivery = delivery;
        this.properties = properties;
        this.clock = clock;
    }

    /** Records an occurrence of a problem that concerns no single integration. */
    public boolean raise(String key, String title, String detail) {
        return raise(null, key, title, detail);
    }

    /**
     * Records an occurrence. Returns {@code true} when it began a new outage (and was
     * sent), {@code false} when it only counted towards one already raised.
     */
    public boolean raise(String integration, String key, String title, String detail) {
        try {
            return occurrence(integration, key, title, Journal.truncate(detail));
        } catch (DuplicateKeyException raceWithAnotherNode) {
            return occurrence(integration, key, title, Journal.truncate(detail));
        } catch (RuntimeException storageTrouble) {
            // An alert must still reach a person when the database is the problem.
            log.error("alert state unavailable ({}); sending {} without de-duplication", storageTrouble.toString(), key);
            if (sentUnstored.containsKey(key)) {
                // Already sent for this outage: the database being away must not make it a storm.
                return false;
            }
            Instant now = Instant.now(clock);
            Alert alert = new Alert(key, integration, title, detail, now, now, 1, null);
            sentUnstored.put(key, alert);
            delivery.raised(alert);
            return true;
        }
    }

    private boolean occurrence(String integration, String key, String title, String detail) {
        Instant now = Instant.now(clock);
        Timestamp at = Timestamp.from(now);
        Object[] outcome = tx.execute(status -> {
            List<Object[]> current = jdbc.query("select * from alert where alert_key = ? for update",
                    (rs, n) -> new Object[] {map(rs, n), rs.getTimestamp("last_sent_at").toInstant()}, key);
            if (current.isEmpty()) {
                jdbc.update("insert into alert (alert_key, integration, title, detail, first_at, last_at, occurrences, "
                        + "last_sent_at) values (?, ?, ?, ?, ?, ?, 1, ?)", key, integration, title, detail, at, at, at);
                return new Object[] {"raised", new Alert(key, integration, title, detail, now, now, 1, null)};
            }
            Alert previous = (Alert) current.get(0)[0];
            Instant lastSent = (Instant) current.get(0)[1];
            if (previous.resolvedAt() != null) {
                jdbc.update("update alert set integration = ?, title = ?, detail = ?, first_at = ?, last_at = ?, "
                        + "occurrences = 1, last_sent_at = ?, resolved_at = null where alert_key = ?",
                        integration, title, detail, at, at, at, key);
                return new Object[] {"raised", new Alert(key, integration, title, detail, now, now, 1, null)};
            }
            boolean remind = !lastSent.plus(properties.repeatInterval()).isAfter(now);
            jdbc.update("update alert set last_at = ?, occurrences = occurrences + 1, detail = ?"
                    + (remind ? ", last_sent_at = ?" : "") + " where alert_key = ?",
                    remind ? new Object[] {at, detail, at, key} : new Object[] {at, detail, key});
            Alert updated = new Alert(key, integration, previous.title(), detail, previous.firstAt(), now,
                    previous.count() + 1, null);
            return new Object[] {remind ? "reminded" : "counted", updated};
        });
        knownActive.add(key);
        Alert alert = (Alert) outcome[1];
        switch ((String) outcome[0]) {
            case "raised" -> {
                fired(alert);
                delivery.raised(alert);
            }
            case "reminded" -> delivery.reminded(alert);
            default -> {
                // counted towards the ongoing outage; the reminder interval decides when to say more
            }
        }
        return "raised".equals(outcome[0]);
    }

    private void fired(Alert alert) {
        if (meters != null) {
            meters.counter("switchboard.alerts.fired", "integration",
                    alert.integration() == null ? "none" : alert.integration()).increment();
        }
    }

    /** Counts alerts in the metrics, when there is a registry (not in unit tests). */
    @Autowired(required = false)
    void setMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    private MeterRegistry meters;

    /** Ends the outage of {@code key}, if there is one, and sends the recovery message once. */
    public void resolve(String key) {
        Alert unstored = sentUnstored.remove(key);
        if (unstored != null) {
            Instant now = Instant.now(clock);
            delivery.resolved(new Alert(unstored.key(), unstored.integration(), unstored.title(), unstored.detail(),
                    unstored.firstAt(), unstored.lastAt(), unstored.count(), now));
        }
        if (!knownActive.contains(key)) {
            return;
        }
        try {
            Instant now = Instant.now(clock);
            Alert resolved = tx.execute(status -> {
                List<Alert> current = jdbc.query("select * from alert where alert_key = ? and resolved_at is null for update",
                        Alerts::map, key);
                if (current.isEmpty()) {
                    return null;
                }
                jdbc.update("update alert set resolved_at = ? where alert_key = ?", Timestamp.from(now), key);
                Alert a = current.get(0);
                return new Alert(a.key(), a.integration(), a.title(), a.detail(), a.firstAt(), a.lastAt(), a.count(), now);
            });
            knownActive.remove(key);
            if (resolved != null) {
                delivery.resolved(resolved);
            }
        } catch (RuntimeException storageTrouble) {
            log.warn("could not resolve alert {}: {}", key, storageTrouble.toString());
        }
    }

    /** Ongoing outages, oldest first. */
    public List<Alert> active() {
        return jdbc.query("select * from alert where resolved_at is null order by first_at", Alerts::map);
    }

    /** The latest alerts, ongoing or cleared, newest first. */
    public List<Alert> recent(int limit) {
        return jdbc.query("select * from alert order by last_at desc limit " + Math.max(1, Math.min(limit, 500)),
                Alerts::map);
    }

    /** Learns which keys other nodes raised, so this node can resolve them too. */
    @Scheduled(fixedDelayString = "${switchboard.alerting.check-interval:15s}")
    public void syncActiveKeys() {
        knownActive.addAll(jdbc.queryForList("select alert_key from alert where resolved_at is null", String.class));
    }

    private static Alert map(ResultSet rs, int row) throws SQLException {
        Timestamp resolved = rs.getTimestamp("resolved_at");
        return new Alert(rs.getString("alert_key"), rs.getString("integration"), rs.getString("title"),
                rs.getString("detail"), rs.getTimestamp("first_at").toInstant(), rs.getTimestamp("last_at").toInstant(),
                rs.getLong("occurrences"), resolved == null ? null : resolved.toInstant());
    }
}
