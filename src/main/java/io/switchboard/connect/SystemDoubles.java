package io.switchboard.connect;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.switchboard.integration.InboxHeaders;
import org.apache.camel.Exchange;

/**
 * The test doubles standing in for connections while a drill runs: a call of a test-marked
 * event ({@link InboxHeaders#TEST}) to {@code connection:<name>} goes to the connection's
 * double instead of the real system, and is counted there (the drill holds its rate to the
 * connection's limit); a real event's call is never diverted, and a test event's never reaches
 * the real system. Drills run one at a time, so a connection has one double at most.
 * {@link SystemClients#doubles()} holds them.
 */
public final class SystemDoubles {

    private final Map<String, SystemDouble> active = new ConcurrentHashMap<>();
    private final Map<String, List<Instant>> calls = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Consumer<String> stoodDown;

    /** @param stoodDown closes what the calls of a connection's double opened, once it stands down */
    SystemDoubles(Clock clock, Consumer<String> stoodDown) {
        this.clock = clock;
        this.stoodDown = stoodDown;
    }

    /** From now on, test events' calls to {@code connection} go to {@code standIn}. */
    public void standIn(String connection, SystemDouble standIn) {
        calls.put(connection, new CopyOnWriteArrayList<>());
        active.put(connection, standIn);
    }

    /** The connection's test events reach no double any more. */
    public void standDown(String connection) {
        active.remove(connection);
        calls.remove(connection);
        stoodDown.accept(connection);
    }

    /** When each call the double took started, in order. */
    public List<Instant> callTimes(String connection) {
        return List.copyOf(calls.getOrDefault(connection, List.of()));
    }

    /**
     * A test event (a drill's, a re-run of one, one a test event emitted down the chain) reaches
     * a double or nothing: with no double standing in for the connection, its call fails (parked
     * as a bug of the test, which the drill's cleanup or a person discards) instead of acting on
     * the real database, broker, mail server or folder.
     */
    void refuseRealSystemForTests(SystemConnection connection, Exchange exchange) {
        if (isTest(exchange) && !active.containsKey(connection.name())) {
            throw new IllegalStateException("connection:" + connection.name() + " is a real "
                    + connection.settings().kind().label() + " system, which a test event never reaches: only a "
                    + "drill's test double stands in for it, while the drill runs");
        }
    }

    private static boolean isTest(Exchange exchange) {
        return exchange != null && exchange.getMessage().getHeader(InboxHeaders.TEST, false, Boolean.class);
    }

    /** The double of this call; null: the call goes to the real system. */
    SystemDouble forCall(String connection, Exchange exchange) {
        return isTest(exchange) ? active.get(connection) : null;
    }

    /** A call to the connection's double starts now (its limiter let it through). */
    void started(String connection) {
        List<Instant> times = calls.get(connection);
        if (times != null) {
            times.add(Instant.now(clock));
        }
    }
}
