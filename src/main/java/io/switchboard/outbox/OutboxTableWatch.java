package io.switchboard.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.switchboard.source.QuietPolls;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;

/**
 * The poll strategy of an outbox source: a poll runs only once the outbox table answers, and a
 * spell of failed polls is one line in the log ({@link QuietPolls}).
 * <p>
 * Before the table is seen, each poll first asks the business database for it with a query that
 * reads no row; after that, polls run without the check until one fails. So a card whose table
 * does not exist yet (or whose database is down) waits quietly and never builds Hibernate for
 * nothing. The connection's state on {@code /api/connections} says the same to the operator.
 */
final class OutboxTableWatch extends QuietPolls {

    private final String connectionName;
    private final String table;
    private final DataSource database;
    private volatile boolean ready;

    /** @param table a plain table name ({@link OutboxTriggers#check} refused anything else) */
    OutboxTableWatch(String integration, String connectionName, String table, DataSource database) {
        super("the outbox of " + integration + " (" + connectionName + "'s table " + table + ")");
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
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        // The next poll checks the table first.
        ready = false;
        return super.rollback(consumer, endpoint, retryCounter, cause);
    }

    /** Whether polls run without a check first: the table answered and no poll failed since. */
    boolean ready() {
        return ready;
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
