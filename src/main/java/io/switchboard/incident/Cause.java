package io.switchboard.incident;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.reliability.AwaitingConnectionException;
import io.switchboard.reliability.ErrorCategory;
import io.switchboard.reliability.Failure;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Why events fail, in the words an incident is grouped by: the same key is the same incident,
 * whichever integration and event met it ("crm answers 503" is one incident for lead-intake and
 * invoice-sync alike).
 *
 * @param key        what groups failures, e.g. {@code system-down:crm:503}
 * @param kind       the kind of cause
 * @param connection the system behind it, or null (bad data, a route's bug)
 * @param title      the cause for a person, e.g. {@code crm answers 503}
 */
public record Cause(String key, IncidentKind kind, String connection, String title) {

    private static final Pattern STATUS = Pattern.compile("answered (\\d{3})");

    /**
     * The cause of a failed attempt. {@code connection} is the connection whose call failed, if
     * the failure came from one; {@code routeId} the route that failed; null when the failure
     * says no more than "try again" and has no system behind it (a rate limit is no incident).
     */
    public static Cause of(Throwable thrown, String integration, String routeId, String connection) {
        AwaitingConnectionException awaiting = Failure.awaitedConnection(thrown);
        if (awaiting != null) {
            return credentials(awaiting.connection(), "needs connecting");
        }
        Failure failure = Failure.of(thrown);
        ErrorCategory category = failure.category();
        String system = connection;
        switch (category) {
            case RATE_LIMITED:
                return null;
            case CREDENTIALS:
                return system == null ? bug(integration, routeId, thrown) : credentials(system, "refuses the credentials");
            case PERMISSION:
                return system == null ? bug(integration, routeId, thrown)
                        : new Cause("permission:" + system, IncidentKind.PERMISSION, system, system + " refuses an operation (403)");
            case INVALID_DATA:
                return new Cause("data:" + integration, IncidentKind.DATA, null,
                        integration + ": payloads fail validation");
            case TRANSIENT:
                if (system != null) {
                    Integer status = status(thrown, failure.message());
                    String what = status != null ? "answers " + status : "cannot be reached";
                    return new Cause("system-down:" + system + ":" + (status != null ? status : "unreachable"),
                            IncidentKind.SYSTEM_DOWN, system, system + " " + what);
                }
                String error = rootCause(thrown).getClass().getSimpleName();
                return new Cause("transient:" + integration + ":" + error, IncidentKind.TRANSIENT, null,
                        integration + ": " + error + " (retrying)");
            default:
                return bug(integration, routeId, thrown);
        }
    }

    private static Cause credentials(String connection, String what) {
        return new Cause("credentials:" + connection, IncidentKind.CREDENTIALS, connection, connection + " " + what);
    }

    private static Cause bug(String integration, String routeId, Throwable thrown) {
        String route = routeId == null ? integration : routeId;
        String error = thrown == null ? "failure" : rootCause(thrown).getClass().getSimpleName();
        return new Cause("bug:" + route + ":" + error, IncidentKind.BUG, null, "route " + route + ": bug " + error);
    }

    private static Integer status(Throwable thrown, String message) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof HttpOperationFailedException http) {
                return http.getStatusCode();
            }
        }
        Matcher matcher = STATUS.matcher(message == null ? "" : message.toLowerCase(Locale.ROOT));
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }

    private static Throwable rootCause(Throwable thrown) {
        Throwable root = thrown;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == null ? new IllegalStateException("unknown") : root;
    }
}
