package io.switchboard.incident;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.alerting.Alerts;
import io.switchboard.alerting.KnownCauses;
import io.switchboard.journal.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Failures grouped by cause. The first failed attempt of a cause opens an incident and sends
 * one alert naming the cause; later failures, of any integration, only count and add their
 * event. An incident is open, then acknowledged by a person who is named, then resolved: by
 * itself when the system behind it serves calls again, or by a person. Test events and drills
 * never open one. The state is in the database, shared by all nodes.
 */
@Component
public class Incidents implements KnownCauses {

    public static final String OPEN = "OPEN";
    public static final String ACKNOWLEDGED = "ACKNOWLEDGED";
    public static final String RESOLVED = "RESOLVED";

    private static final Logger log = LoggerFactory.getLogger(Incidents.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Alerts alerts;
    private final Clock clock;
    private final ObjectProvider<SystemRecovery> recovery;

    public Incidents(JdbcTemplate jdbc, PlatformTransactionManager transactions, Alerts alerts, Clock clock,
            ObjectProvider<SystemRecovery> recovery) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(Propagation.REQUIRES_NEW.value());
        this.alerts = alerts;
        this.clock = clock;
        this.recovery = recovery;
    }

    /** One incident as stored. */
    public record Incident(String id, String causeKey, IncidentKind kind, String connection, String title,
            String status, Instant firstSeen, Instant lastSeen, long failures, String lastError,
            String acknowledgedBy, Instant acknowledgedAt, String resolvedBy, Instant resolvedAt) {
    }

    /**
     * Counts a failed attempt of a real event against its cause's incident, opening it (and
     * alerting once) when the cause is new. Never fails the caller: settling the event matters more.
     */
    public void failed(String eventId, String integration, Cause cause, String error) {
        if (cause == null) {
            return;
        }
        try {
            Instant now = Instant.now(clock);
            String[] opened = new String[1];
            String id = tx.execute(status -> {
                String found = openId(cause.key());
                if (found == null) {
                    found = open(cause, now, error);
                    opened[0] = found;
                }
                jdbc.update("update incident set last_seen = ?, failures = failures + 1, last_error = ? where id = ?",
                        Timestamp.from(now), Journal.truncate(error), found);
                if (eventId != null) {
                    jdbc.update("insert into incident_event (incident_id, event_id, integration, at) select ?, ?, ?, ? "
                            + "where not exists (select 1 from incident_event where incident_id = ? and event_id = ?)",
                            found, eventId, integration, Timestamp.from(now), found, eventId);
                }
                return found;
            });
            if (opened[0] != null) {
                log.warn("incident {} opened: {} (first seen at {} in {}: {})", id, cause.title(), now, integration,
                        error);
                alerts.raise(integration, alertKey(id), "Incident: " + cause.title(), error + ". Affected events "
                        + (cause.kind().retriesByItself() ? "retry by themselves" : "wait for a person")
                        + "; see the console's incidents (#/incidents/" + id + ").");
            }
        } catch (RuntimeException storageTrouble) {
            log.warn("could not record the failure of event {} against incident '{}': {}", eventId, cause.title(),
                    storageTrouble.toString());
        }
    }

    private String openId(String causeKey) {
        return jdbc.queryForList("select id from incident where open_key = ?", String.class, causeKey).stream()
                .findFirst().orElse(null);
    }

    private String open(Cause cause, Instant now, String error) {
        String id = UUID.randomUUID().toString();
        try {
            jdbc.update("insert into incident (id, cause_key, open_key, kind, connection_name, title, status, "
                    + "first_seen, last_seen, failures, last_error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)", id,
                    cause.key(), cause.key(), cause.kind().name(), cause.connection(), cause.title(), OPEN,
                    Timestamp.from(now), Timestamp.from(now), Journal.truncate(error));
            return id;
        } catch (DuplicateKeyException anotherNodeOpenedIt) {
            return openId(cause.key());
        }
    }

    /** A person takes it: named on the incident; it stays unresolved. False when it is not open. */
    public boolean acknowledge(String id, String by) {
        return jdbc.update("update incident set status = ?, acknowledged_by = ?, acknowledged_at = ? where id = ? "
                + "and status = ?", ACKNOWLEDGED, by, Timestamp.from(Instant.now(clock)), id, OPEN) == 1;
    }

    /** Resolves it (a person, or {@code switchboard} by itself) and sends the recovery once. */
    public boolean resolve(String id, String by) {
        boolean resolved = jdbc.update("update incident set status = ?, open_key = null, resolved_by = ?, "
                + "resolved_at = ? where id = ? and status <> ?", RESOLVED, by, Timestamp.from(Instant.now(clock)), id,
                RESOLVED) == 1;
        if (resolved) {
            log.info("incident {} resolved by {}", id, by);
            alerts.resolve(alertKey(id));
        }
        return resolved;
    }

    /**
     * Resolves the incidents whose system serves calls again: the affected events are retried or
     * waiting for it, and a failure after this opens a new incident.
     */
    @Scheduled(fixedDelayString = "${switchboard.incidents.check-interval:5s}")
    public void resolveRecovered() {
        SystemRecovery systems = recovery.getIfAvailable();
        if (systems == null) {
            return;
        }
        try {
            for (Incident incident : unresolved()) {
                if (incident.connection() != null && incident.kind() != IncidentKind.DATA
                        && incident.kind() != IncidentKind.BUG
                        && systems.recoveredSince(incident.connection(), incident.lastSeen())) {
                    resolve(incident.id(), "switchboard (calls to " + incident.connection() + " succeed again)");
                }
            }
        } catch (RuntimeException e) {
            log.warn("incident recovery check could not run: {}", e.toString());
        }
    }

    public Optional<Incident> get(String id) {
        return jdbc.query("select * from incident where id = ?", Incidents::map, id).stream().findFirst();
    }

    /** Open and acknowledged incidents, newest failure first. */
    public List<Incident> unresolved() {
        return jdbc.query("select * from incident where status <> ? order by last_seen desc", Incidents::map, RESOLVED);
    }

    /** An unresolved incident in brief, for the integration cards. */
    public record Brief(String id, String kind, String title, String status, String connection) {
    }

    /**
     * The unresolved incidents that concern an integration: its events failed with that cause,
     * or the cause is a system the integration calls (a schedule that has not run since is
     * affected all the same).
     */
    public List<Brief> unresolvedConcerning(String integration, Collection<String> connections) {
        return jdbc.query("select i.id, i.kind, i.title, i.status, i.connection_name from incident i where i.status <> ? "
                + "and (exists (select 1 from incident_event e where e.incident_id = i.id and e.integration = ?) "
                + "or i.connection_name in (" + (connections.isEmpty() ? "null" : String.join(",",
                        Collections.nCopies(connections.size(), "?"))) + ")) order by i.last_seen desc",
                (rs, n) -> new Brief(rs.getString(1), IncidentKind.valueOf(rs.getString(2)).label(), rs.getString(3),
                        rs.getString(4), rs.getString(5)),
                Stream.concat(Stream.of(RESOLVED, integration), connections.stream())
                        .toArray());
    }

    /** The latest incidents, whatever their status, newest failure first. */
    public List<Incident> recent(int limit) {
        return jdbc.query("select * from incident order by last_seen desc limit " + Math.max(1, Math.min(limit, 500)),
                Incidents::map);
    }

    @Override
    public boolean explains(String integration) {
        Integer count = jdbc.queryForObject("select count(*) from incident i join incident_event e on e.incident_id = "
                + "i.id where i.status <> ? and e.integration = ?", Integer.class, RESOLVED, integration);
        return count != null && count > 0;
    }

    /** Publishes the number of unresolved incidents per kind, when there is a registry. */
    @Autowired(required = false)
    void setMeters(MeterRegistry meters) {
        for (IncidentKind kind : IncidentKind.values()) {
            Gauge.builder("switchboard.incidents.open", this, incidents -> count(kind))
                    .description("Unresolved incidents (open or acknowledged) of this kind").tag("kind", kind.label())
                    .register(meters);
        }
    }

    private double count(IncidentKind kind) {
        try {
            Integer count = jdbc.queryForObject("select count(*) from incident where status <> ? and kind = ?",
                    Integer.class, RESOLVED, kind.name());
            return count == null ? 0 : count;
        } catch (RuntimeException storageTrouble) {
            return Double.NaN;
        }
    }

    static String alertKey(String id) {
        return "incident:" + id;
    }

    private static Incident map(ResultSet rs, int row) throws SQLException {
        return new Incident(rs.getString("id"), rs.getString("cause_key"), IncidentKind.valueOf(rs.getString("kind")),
                rs.getString("connection_name"), rs.getString("title"), rs.getString("status"),
                instant(rs.getTimestamp("first_seen")), instant(rs.getTimestamp("last_seen")), rs.getLong("failures"),
                rs.getString("last_error"), rs.getString("acknowledged_by"), instant(rs.getTimestamp("acknowledged_at")),
                rs.getString("resolved_by"), instant(rs.getTimestamp("resolved_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
