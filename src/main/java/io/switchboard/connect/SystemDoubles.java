package io.switchboard.connect;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.switchboard.integration.InboxHeaders;
import org.apache.camel.Exchange;

/**
 * The test doubles standing in for connections while a drill runs: a call of a test-marked
 * event ({@link InboxHeaders#TEST}) to {@code connection:<name>} goes to the connection's
 * double instead of the real system, and is counted there (the drill holds its rate to the
 * connection's limit); a real event's call is never diverted. Drills run one at a time, so a
 * connection has one double at most. {@link SystemClients#doubles()} holds them.
 */
public final class SystemDoubles {

    private final Map<String, SystemDouble> active = new ConcurrentHashMap<>();
    private final Map<String, List<Instant>> calls = new ConcurrentHashMap<>();
    private final Clock clock;

    SystemDoubles(Clock clock) {
        this.clock = clock;
    }

    /** From now on, test events' calls to {@code connection} go to {@code stand-in}. */
    public void standIn(String connection, SystemDouble standIn) {
        calls.put(connection, new CopyOnWriteArrayList<>());
        active.put(connection, standIn);
    }

    /** The connection's test events reach no double any more. */
    public void standDown(String connection) {
        active.remove(connection);
        calls.remove(connection);
    }

    /** When each call the double took started, in order. */
    public List<Instant> callTimes(String connection) {
        return List.copyOf(calls.getOrDefault(connection, List.of()));
    }

    /** The double of this call, counted; null: the call goes to the real system. */
    SystemDouble forCall(String connection, Exchange exchange) {
        if (exchange == null || !exchange.getMessage().getHeader(InboxHeaders.TEST, false, Boolean.class)) {
            return null;
        }
        SystemDouble standIn = active.get(connection);
        if (standIn != null) {
            List<Instant> times = calls.get(connection);
            if (times != null) {
                times.add(Instant.now(clock));
            }
        }
        return standIn;
    }
}
