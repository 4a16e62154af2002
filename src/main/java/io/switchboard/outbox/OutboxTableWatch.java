package io.switchboard.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll strategy of an outbox source: a poll runs only once the outbox table answers, and a
 * spell of failed polls is one line in the log when it starts and one when it ends.
 * <p>
 * Before the table is seen, each poll first asks the business database for it with a query that
 * reads no row; after that, polls run without the check until one fails. So a card whose table
 * does not exist yet (or whose database is down) waits quietly and never builds Hibernate for
 * nothing, and an outage does not write Camel's warning with a stack trace every few polls.
 * The connection's state on {@code /api/connections} says the same to the operator.
 */
final class OutboxTableWatch implements PollingConsumerPollStrategy {

    private static final Logger log = LoggerFactory.getLogger(OutboxTableWatch.class);

    private final String integration;
    private final String connectionName;
    private final String table;
    private final DataSource database;
    private volatile boolean ready;
    private volatile String failing;

    /** @param table a plain table name ({@link OutboxTriggers#check} refused anything else) */
    OutboxTableWatch(String integration, String connectionName, String table, DataSource database) {
        this.integration = integration;
        this.connectionName = connectionName;
        this.table = table;
        this.database = database;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (ready) {
            return true;
        }
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("select 1 from " + table + " where 1 = 0");
            ready = true;
            return true;
        } catch (SQLException unavailable) {
            failed(reason(unavailable));
            return false;
        }
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (failing != null) {
            log.info("The outbox of {} is read again from {}'s table {}", integration, connectionName, table);
            failing = null;
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        ready = false;
        failed("a poll failed: " + cause);
        // No immediate retry: the next scheduled poll checks the table first.
        return false;
    }

    /** Whether polls run without a check first: the table answered and no poll failed since. */
    boolean ready() {
        return ready;
    }

    private void failed(String reason) {
        if (!reason.equals(failing)) {
            log.warn("The outbox of {} waits for {}'s table {}: {}. It polls again by itself; "
                    + "/api/connections shows the connection's state", integration, connectionName, table, reason);
            failing = reason;
        }
    }

    private String reason(SQLException unavailable) {
        String state = unavailable.getSQLState();
        if (state != null && state.startsWith("42")) {
            return "the table does not exist (create it, or point switchboard.connections." + connectionName
                    + ".url at the schema that has it)";
        }
        return "the database does not answer (" + unavailable.getMessage() + ")";
    }
}
