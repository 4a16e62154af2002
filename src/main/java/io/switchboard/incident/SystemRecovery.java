package io.switchboard.incident;

import java.time.Instant;

/**
 * Whether a system serves calls again, as the connections see it; an incident caused by a
 * system resolves itself once it does.
 */
public interface SystemRecovery {

    /** True when calls to the connection succeeded after {@code since} and it is in good standing. */
    boolean recoveredSince(String connection, Instant since);
}
