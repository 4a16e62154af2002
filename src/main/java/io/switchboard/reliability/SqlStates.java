package io.switchboard.reliability;

import java.sql.SQLException;
import java.util.Set;

/**
 * What a database's SQLSTATE means for the event (the SQL standard's classes, as PostgreSQL,
 * MariaDB and H2 report them): a lost connection, a deadlock, a shutdown or a full server pass;
 * a constraint or a value the column refuses is the data's fault; a refused login is a secret
 * to renew, a missing grant a right to ask for, and a statement that does not compile a bug.
 * Spring's translated exceptions ({@code DataIntegrityViolationException}...) carry the
 * {@link SQLException} as their cause, which the chain walk reaches.
 */
final class SqlStates {

    /** MariaDB/MySQL answer "access denied" to a table or database as 42000 with these error codes. */
    private static final Set<Integer> MYSQL_ACCESS_DENIED = Set.of(1044, 1142, 1143, 1227);

    private SqlStates() {
    }

    /** The category of one exception in a failure's chain, or null when it carries no SQLSTATE we know. */
    static ErrorCategory of(Throwable cause) {
        if (!(cause instanceof SQLException sql) || sql.getSQLState() == null || sql.getSQLState().length() < 2) {
            return null;
        }
        String state = sql.getSQLState();
        if (state.equals("42501") || state.equals("42000") && MYSQL_ACCESS_DENIED.contains(sql.getErrorCode())) {
            return ErrorCategory.PERMISSION;
        }
        return switch (state.substring(0, 2)) {
            // 08 connection, 40 rolled back (serialization, deadlock), 53 out of resources,
            // 57 operator intervention (shutdown, cancelled by a statement timeout), HY timeouts.
            case "08", "40", "53", "57" -> ErrorCategory.TRANSIENT;
            case "HY" -> state.startsWith("HYT") ? ErrorCategory.TRANSIENT : null;
            case "55" -> state.equals("55P03") ? ErrorCategory.TRANSIENT : null; // lock not available
            case "22", "23" -> ErrorCategory.INVALID_DATA;
            case "28" -> ErrorCategory.CREDENTIALS;
            case "42" -> ErrorCategory.BUG;
            default -> null;
        };
    }
}
