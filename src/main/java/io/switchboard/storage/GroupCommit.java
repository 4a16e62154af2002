package io.switchboard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;

/**
 * Group commit for the small writes that every event makes while it is processed (its
 * idempotency key, its completion). Writes that threads hand in while a commit is running
 * go into the next transaction together, one JDBC batch per statement, and each thread
 * returns only after the commit that holds its write: the same durability as committing
 * alone, but one commit (one WAL flush on PostgreSQL) serves every worker that finished
 * meanwhile instead of one each.
 *
 * <p>One writer is the default: on PostgreSQL the commit (the WAL flush) is what a batch
 * costs, so fewer and larger batches go faster. Measured with the relay benchmark: 1,842
 * events/s with one writer, 1,484 with two; the lead chain likewise (146 and 125 leads/s).
 *
 * <p>If anything in a batch fails, the batch is rolled back and every write in it is run
 * again on its own, so one bad write (a duplicate key) fails only its own caller. A write
 * is therefore a unit that can run twice when the first run was rolled back: plain SQL
 * statements, no side effects outside the database.
 */
@Component
public class GroupCommit extends BatchingWriter<List<GroupCommit.Statement>, int[]> {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** One SQL statement with its arguments. */
    public record Statement(String sql, Object... args) {
    }

    private final DataSource dataSource;
    private final SQLExceptionTranslator translator;
    private final AtomicLong shared = new AtomicLong();
    private final AtomicLong rerunAlone = new AtomicLong();

    public GroupCommit(DataSource dataSource,
            @Value("${switchboard.storage.group-commit.writers:1}") int writers,
            @Value("${switchboard.storage.group-commit.max-batch:128}") int maxBatch,
            @Value("${switchboard.storage.group-commit.timeout:30s}") Duration timeout) {
        super("group-commit", "switchboard.storage.group-commit", writers, maxBatch, timeout);
        this.dataSource = dataSource;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
    }

    /** Runs one statement and returns its update count once it is committed. */
    public int update(String sql, Object... args) {
        return commit(List.of(new Statement(sql, args)))[0];
    }

    /**
     * Runs the statements in one transaction, shared with other callers' writes, and returns
     * their update counts once committed; throws a {@link org.springframework.dao.DataAccessException}
     * when they were not.
     */
    public int[] commit(List<Statement> statements) {
        return submit(statements);
    }

    @Override
    protected void write(List<Pending<List<Statement>, int[]>> batch) {
        if (batch.size() == 1) {
            answerAlone(batch.get(0));
            return;
        }
        List<int[]> counts;
        try {
            counts = together(batch);
        } catch (CommitOutcomeUnknown unknown) {
            // The commit itself failed: it may have happened. Running the writes again could
            // double them, so every caller gets the failure, as from a commit of its own.
            RuntimeException translated = translator.translate("group commit", null, unknown.cause);
            RuntimeException answer = translated != null ? translated : new IllegalStateException(unknown.cause);
            batch.forEach(p -> p.done().completeExceptionally(answer));
            return;
        } catch (SQLException | RuntimeException failed) {
            // Rolled back before the commit; which write failed is not known (PostgreSQL aborts
            // the whole transaction): each on its own.
            rerunAlone.incrementAndGet();
            batch.forEach(this::answerAlone);
            return;
        }
        shared.incrementAndGet();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(counts.get(i));
        }
    }

    /** The commit call failed: the transaction may or may not be committed. */
    private static final class CommitOutcomeUnknown extends Exception {
        private final SQLException cause;

        CommitOutcomeUnknown(SQLException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    /**
     * The batch in one transaction, one JDBC batch per distinct statement, in the order first
     * seen. A unit's statements may so run in another order than alone: units are independent
     * rows (no statement of a unit reads what another of its statements wrote).
     */
    private List<int[]> together(List<Pending<List<Statement>, int[]>> batch)
            throws SQLException, CommitOutcomeUnknown {
        Map<String, List<int[]>> positions = new LinkedHashMap<>();
        List<int[]> counts = new ArrayList<>(batch.size());
        for (int unit = 0; unit < batch.size(); unit++) {
            List<Statement> statements = batch.get(unit).item();
            counts.add(new int[statements.size()]);
            for (int s = 0; s < statements.size(); s++) {
                positions.computeIfAbsent(statements.get(s).sql(), sql -> new ArrayList<>()).add(new int[] {unit, s});
            }
        }
        Connection connection = dataSource.getConnection();
        boolean committed = false;
        try {
            connection.setAutoCommit(false);
            try {
                for (Map.Entry<String, List<int[]>> group : positions.entrySet()) {
                    try (PreparedStatement statement = connection.prepareStatement(group.getKey())) {
                        for (int[] at : group.getValue()) {
                            bind(statement, batch.get(at[0]).item().get(at[1]));
                            statement.addBatch();
                        }
                        int[] results = statement.executeBatch();
                        for (int i = 0; i < results.length; i++) {
                            int[] at = group.getValue().get(i);
                            counts.get(at[0])[at[1]] = results[i];
                        }
                    }
                }
            } catch (SQLException | RuntimeException failed) {
                rollbackQuietly(connection);
                throw failed;
            }
            try {
                connection.commit();
            } catch (SQLException unknown) {
                throw new CommitOutcomeUnknown(unknown);
            }
            committed = true;
            return counts;
        } finally {
            // After a commit, trouble handing the connection back changes nothing that was written.
            try {
                connection.setAutoCommit(true);
                connection.close();
            } catch (SQLException | RuntimeException closing) {
                if (!committed) {
                    log.debug("closing a rolled-back group-commit connection failed", closing);
                }
            }
        }
    }

    /** One unit in a transaction of its own (one statement: autocommit, one round trip). */
    @Override
    protected int[] alone(List<Statement> statements) {
        int[] counts = new int[statements.size()];
        try (Connection connection = dataSource.getConnection()) {
            boolean single = statements.size() == 1;
            if (!single) {
                connection.setAutoCommit(false);
            }
            try {
                for (int i = 0; i < statements.size(); i++) {
                    try (PreparedStatement statement = connection.prepareStatement(statements.get(i).sql())) {
                        bind(statement, statements.get(i));
                        counts[i] = statement.executeUpdate();
                    }
                }
                if (!single) {
                    connection.commit();
                }
                return counts;
            } catch (SQLException | RuntimeException failed) {
                if (!single) {
                    rollbackQuietly(connection);
                }
                throw failed;
            } finally {
                if (!single) {
                    restoreAutoCommit(connection);
                }
            }
        } catch (SQLException failed) {
            RuntimeException translated = translator.translate("write", statements.get(0).sql(), failed);
            throw translated != null ? translated : new IllegalStateException(failed);
        }
    }

    /** Transactions that committed more than one caller's writes. */
    long sharedCommits() {
        return shared.get();
    }

    /** Batches rolled back because a write in them failed, and run again write by write. */
    long batchesRunAlone() {
        return rerunAlone.get();
    }

    private static void bind(PreparedStatement statement, Statement values) throws SQLException {
        new ArgumentPreparedStatementSetter(values.args()).setValues(statement);
    }

    /**
     * Back to autocommit before the connection returns to the pool. On a connection the database
     * dropped this throws too ("Connection is closed", no SQLState), and thrown from a
     * {@code finally} it would hide the real failure (SQLState 08: unavailable), which the caller
     * needs to tell an outage, worth another attempt, from a bug.
     */
    public static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException broken) {
            // the connection is broken; the pool discards it
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
