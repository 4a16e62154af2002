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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import io.switchboard.journal.EventMetrics;
import io.switchboard.journal.EventStatus;
import io.switchboard.journal.Journal;
import io.switchboard.journal.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionTimedOutException;

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
public class InboxWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboxWriter.class);

    /** The journal's first step, as {@link Journal#step} writes it. */
    private static final String INSERT_STEP = "insert into event_step (event_id, at, step, outcome, detail, node_id) "
            + "values (?, ?, '" + InboxStore.RECEIVED_STEP + "', 'ok', ?, ?)";

    /** A webhook event on its way into the inbox, and the request thread waiting for its commit. */
    private record Pending(String integration, String deliveryId, byte[] payload, String contentType,
            String maskedHeaders, CompletableFuture<InboxStore.Accepted> done) {
    }

    private final DataSource dataSource;
    private final SQLExceptionTranslator translator;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final EventMetrics metrics;
    private final NodeId node;
    private final Clock clock;
    private final int writers;
    private final int maxBatch;
    private final Duration timeout;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public InboxWriter(DataSource dataSource, InboxStore inbox, InboxSignal signal, EventMetrics metrics, NodeId node,
            Clock clock, @Value("${switchboard.inbox.group-commit.writers:1}") int writers,
            @Value("${switchboard.inbox.group-commit.max-batch:256}") int maxBatch,
            @Value("${switchboard.inbox.group-commit.timeout:30s}") Duration timeout) {
        if (writers < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("switchboard.inbox.group-commit.writers and .max-batch must be at least 1 "
                    + "(were " + writers + " and " + maxBatch + ")");
        }
        this.dataSource = dataSource;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
        this.inbox = inbox;
        this.signal = signal;
        this.metrics = metrics;
        this.node = node;
        this.clock = clock;
        this.writers = writers;
        this.maxBatch = maxBatch;
        this.timeout = timeout;
    }

    /**
     * Stores a webhook event and returns once it is committed, or throws a
     * {@link org.springframework.dao.DataAccessException} or a
     * {@link org.springframework.transaction.TransactionException} when it is not stored.
     */
    public InboxStore.Accepted accept(String integration, String deliveryId, byte[] payload, String contentType,
            String maskedHeaders) {
        if (!running) {
            return inbox.accept(integration, deliveryId, payload, contentType, maskedHeaders);
        }
        Pending pending = new Pending(integration, deliveryId, payload, contentType, maskedHeaders,
                new CompletableFuture<>());
        queue.add(pending);
        try {
            return pending.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (TimeoutException slow) {
            // Not known to be stored: the sender retries with the same id, and the unique
            // delivery id answers that retry with this event if it did commit after all.
            throw new TransactionTimedOutException("the event was not committed within " + timeout);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new TransactionTimedOutException("interrupted while waiting for the commit");
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException stop) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error unexpected) {
                log.error("group commit failed unexpectedly; {} waiting requests answered 503", batch.size(), unexpected);
                batch.forEach(p -> p.done().completeExceptionally(
                        new TransactionTimedOutException("group commit failed: " + unexpected)));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        List<InboxStore.Accepted> accepted = new ArrayList<>(batch.size());
        try {
            insert(batch, accepted);
        } catch (SQLException failure) {
            if (isConstraintViolation(failure)) {
                // A repeated delivery id (or two copies in one batch): store each on its own.
                batch.forEach(this::writeAlone);
                return;
            }
            RuntimeException translated = translator.translate("group commit of webhook events", null, failure);
            RuntimeException answer = translated != null ? translated : new IllegalStateException(failure);
            batch.forEach(p -> p.done().completeExceptionally(answer));
            return;
        }
        Set<String> integrations = new LinkedHashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            metrics.received(pending.integration());
            integrations.add(pending.integration());
            pending.done().complete(accepted.get(i));
        }
        integrations.forEach(signal::wake);
    }

    private void writeAlone(Pending pending) {
        try {
            InboxStore.Accepted accepted = inbox.accept(pending.integration(), pending.deliveryId(), pending.payload(),
                    pending.contentType(), pending.maskedHeaders());
            if (!accepted.duplicate()) {
                signal.wake(pending.integration());
            }
            pending.done().complete(accepted);
        } catch (RuntimeException failed) {
            pending.done().completeExceptionally(failed);
        }
    }

    private void insert(List<Pending> batch, List<InboxStore.Accepted> accepted) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        String nodeId = node.value();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement(InboxStore.INSERT_EVENT);
                    PreparedStatement steps = connection.prepareStatement(INSERT_STEP);
                    PreparedStatement rows = connection.prepareStatement(InboxStore.INSERT_INBOX)) {
                for (Pending pending : batch) {
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
                connection.setAutoCommit(true);
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

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < writers; i++) {
            Thread thread = new Thread(this::writeLoop, "inbox-writer-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public synchronized void stop() {
        // Requests still waiting are written before the threads end (the loop drains the queue).
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before the web server and stops after it, so every request it let in gets its commit. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
