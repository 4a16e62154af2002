package io.switchboard.inbox;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import io.switchboard.journal.EventMetrics;
import io.switchboard.journal.EventStatus;
import io.switchboard.journal.Journal;
import io.switchboard.journal.NodeId;
import io.switchboard.storage.BatchingWriter;
import io.switchboard.storage.GroupCommit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;

/**
 * Group commit for webhook ingress. Requests that arrive while a commit is running are
 * written together in the next transaction, one JDBC batch per table, and each request
 * is answered only after the commit that holds its event. One commit (one fsync on
 * PostgreSQL) then serves dozens of events, which is what lets a node store thousands of
 * events per second durably: committing each event on its own leaves the database
 * waiting on the disk, not working.
 *
 * <p>A batch that hits a repeated delivery id is rolled back and its events are stored one
 * by one through {@link InboxStore#accept}, so the duplicate is answered with the first
 * event's id as before and the others are stored normally.
 */
@Component
public class InboxWriter extends BatchingWriter<InboxWriter.Event, InboxStore.Accepted> {

    /** The journal's first step, as {@link Journal#step} writes it. */
    private static final String INSERT_STEP = "insert into event_step (event_id, at, step, outcome, detail, node_id) "
            + "values (?, ?, '" + InboxStore.RECEIVED_STEP + "', 'ok', ?, ?)";

    /** A webhook event on its way into the inbox. */
    record Event(String integration, String deliveryId, byte[] payload, String contentType, String maskedHeaders) {
    }

    private final DataSource dataSource;
    private final SQLExceptionTranslator translator;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final EventMetrics metrics;
    private final NodeId node;
    private final Clock clock;

    public InboxWriter(DataSource dataSource, InboxStore inbox, InboxSignal signal, EventMetrics metrics, NodeId node,
            Clock clock, @Value("${switchboard.inbox.group-commit.writers:1}") int writers,
            @Value("${switchboard.inbox.group-commit.max-batch:256}") int maxBatch,
            @Value("${switchboard.inbox.group-commit.timeout:30s}") Duration timeout) {
        super("inbox-writer", "switchboard.inbox.group-commit", writers, maxBatch, timeout);
        this.dataSource = dataSource;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
        this.inbox = inbox;
        this.signal = signal;
        this.metrics = metrics;
        this.node = node;
        this.clock = clock;
    }

    /**
     * Stores a webhook event and returns once it is committed, or throws a
     * {@link org.springframework.dao.DataAccessException} or a
     * {@link org.springframework.transaction.TransactionException} when it is not stored.
     */
    public InboxStore.Accepted accept(String integration, String deliveryId, byte[] payload, String contentType,
            String maskedHeaders) {
        return submit(new Event(integration, deliveryId, payload, contentType, maskedHeaders));
    }

    /** One event in a transaction of its own, a repeated delivery answered with the first event's id. */
    @Override
    protected InboxStore.Accepted alone(Event event) {
        InboxStore.Accepted accepted = inbox.accept(event.integration(), event.deliveryId(), event.payload(),
                event.contentType(), event.maskedHeaders());
        if (!accepted.duplicate()) {
            signal.wake(event.integration());
        }
        return accepted;
    }

    @Override
    protected void write(List<Pending<Event, InboxStore.Accepted>> batch) {
        List<InboxStore.Accepted> accepted = new ArrayList<>(batch.size());
        try {
            insert(batch, accepted);
        } catch (SQLException failure) {
            if (isConstraintViolation(failure)) {
                // A repeated delivery id (or two copies in one batch): store each on its own.
                batch.forEach(this::answerAlone);
                return;
            }
            RuntimeException translated = translator.translate("group commit of webhook events", null, failure);
            RuntimeException answer = translated != null ? translated : new IllegalStateException(failure);
            batch.forEach(p -> p.done().completeExceptionally(answer));
            return;
        }
        Set<String> integrations = new LinkedHashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending<Event, InboxStore.Accepted> pending = batch.get(i);
            metrics.received(pending.item().integration());
            integrations.add(pending.item().integration());
            pending.done().complete(accepted.get(i));
        }
        integrations.forEach(signal::wake);
    }

    private void insert(List<Pending<Event, InboxStore.Accepted>> batch, List<InboxStore.Accepted> accepted)
            throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        String nodeId = node.value();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement(InboxStore.INSERT_EVENT);
                    PreparedStatement steps = connection.prepareStatement(INSERT_STEP);
                    PreparedStatement rows = connection.prepareStatement(InboxStore.INSERT_INBOX)) {
                for (Pending<Event, InboxStore.Accepted> waiting : batch) {
                    Event pending = waiting.item();
                    String eventId = EventIds.next();
                    accepted.add(new InboxStore.Accepted(eventId, false));
                    events.setString(1, eventId);
                    events.setString(2, pending.integration());
                    events.setString(3, pending.deliveryId());
                    events.setString(4, EventStatus.RECEIVED.name());
                    events.setString(5, new String(pending.payload(), StandardCharsets.UTF_8));
                    events.setString(6, pending.contentType());
                    events.setString(7, pending.maskedHeaders());
                    events.setTimestamp(8, now);
                    events.setTimestamp(9, now);
                    events.setString(10, nodeId);
                    events.addBatch();
                    steps.setString(1, eventId);
                    steps.setTimestamp(2, now);
                    steps.setString(3, Journal.truncate(InboxStore.receivedDetail(pending.deliveryId())));
                    steps.setString(4, nodeId);
                    steps.addBatch();
                    rows.setString(1, eventId);
                    rows.setString(2, pending.integration());
                    rows.setTimestamp(3, now);
                    rows.setTimestamp(4, now);
                    rows.setBoolean(5, false);
                    rows.addBatch();
                }
                events.executeBatch();
                steps.executeBatch();
                rows.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException failed) {
                accepted.clear();
                rollbackQuietly(connection);
                throw failed;
            } finally {
                GroupCommit.restoreAutoCommit(connection);
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** SQLState class 23 (integrity constraint violation), anywhere in the exception chain. */
    static boolean isConstraintViolation(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (next.getSQLState() != null && next.getSQLState().startsWith("23")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

}
