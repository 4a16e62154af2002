package io.switchboard.connect;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;

/**
 * Which failures of a database, broker, mail server or folder say the system was not there (it
 * refused, reset or timed out the connection): only those count towards a connection's
 * {@code failing} state. Bad data, refused credentials and the like are the system answering.
 */
final class SystemFailures {

    private SystemFailures() {
    }

    static boolean isUnavailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof TimeoutException
                    || cause instanceof ConnectException || cause instanceof SocketTimeoutException
                    || cause instanceof UnknownHostException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
            String type = cause.getClass().getName();
            // Clients whose "not there" exceptions are their own types (Angus mail, Spring AMQP).
            if (type.endsWith("MailConnectException") || type.endsWith("AmqpConnectException")
                    || type.endsWith("MessagingException") && cause.getCause() instanceof IOException) {
                return true;
            }
            if (cause instanceof SocketException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, one line: what the system or the network said. */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        int end = message.indexOf('\n');
        return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : " " + (end < 0 ? message
                : message.substring(0, end)));
    }
}
