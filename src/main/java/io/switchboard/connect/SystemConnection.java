package io.switchboard.connect;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.reliability.Failure;
import org.apache.camel.Exchange;

/**
 * A connection to a system that is not called over HTTP (a database, a broker, a mail server, a
 * folder), as routes call it through {@code connection:<name>}: every call is spaced by the
 * connection's rate limit (shared across nodes like an HTTP connection's), bounded by
 * {@code max-concurrent} calls in flight on this node, and counted, so a system that keeps
 * failing turns the connection {@code failing} with the share of failed calls and the last
 * error. The client itself (a pool, a sender, a publisher) is {@link SystemClients}'.
 */
final class SystemConnection {

    private final String name;
    private final ConnectionsProperties.Connection settings;
    private final ConnectionLimiter limiter;
    private final Semaphore inFlight;
    private final CallOutcomes outcomes = new CallOutcomes();
    private final ConnectionStates states;
    private final Clock clock;

    SystemConnection(String name, ConnectionsProperties.Connection settings, ConnectionStates states, Clock clock,
            IntSupplier liveNodes) {
        this.name = name;
        this.settings = settings;
        this.limiter = new ConnectionLimiter(settings.rateLimit(), liveNodes);
        this.inFlight = new Semaphore(settings.maxConcurrent(), true);
        this.states = states;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    ConnectionsProperties.Connection settings() {
        return settings;
    }

    /**
     * Runs one call under the connection's limits. A failure is rethrown as it came (the platform
     * classifies it by its kind); one that says the system was not there counts towards
     * {@code failing}, and the exchange learns which connection failed it (an incident's cause).
     */
    <T> T call(Exchange exchange, String operation, Callable<T> action) throws Exception {
        return call(exchange, operation, action, true);
    }

    /**
     * A call to the connection's test double ({@link SystemDoubles}): under the same limits, but
     * what the double does (a drill cutting it off) says nothing of the real system's state.
     */
    <T> T callDouble(Exchange exchange, String operation, Callable<T> action) throws Exception {
        return call(exchange, operation, action, false);
    }

    private <T> T call(Exchange exchange, String operation, Callable<T> action, boolean counted) throws Exception {
        limiter.acquire();
        if (!inFlight.tryAcquire(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("Connection '" + name + "': no free slot of "
                    + settings.maxConcurrent() + " within " + settings.readTimeout().toSeconds() + " s for " + operation);
        }
        try {
            T result = action.call();
            if (counted) {
                outcomes.succeeded(Instant.now(clock));
                settle();
            }
            if (exchange != null) {
                exchange.removeProperty(Failure.FAILED_CONNECTION);
            }
            return result;
        } catch (Exception failed) {
            if (counted && SystemFailures.isUnavailable(failed)) {
                outcomes.failed(Instant.now(clock), operation + ": " + SystemFailures.describe(failed));
                settle();
            }
            if (exchange != null) {
                exchange.setProperty(Failure.FAILED_CONNECTION, name);
            }
            throw failed;
        } finally {
            inFlight.release();
        }
    }

    /** How the system answered lately, as {@code /api/connections} shows it. */
    CallOutcomes.Availability availability() {
        return outcomes.availability(Instant.now(clock));
    }

    private void settle() {
        CallOutcomes.Availability seen = availability();
        if (seen.failing()) {
            states.record(name, Status.FAILING, seen.failed() + " of " + seen.calls() + " calls in the last "
                    + CallOutcomes.WINDOW.toSeconds() + " s failed; last: " + seen.lastError());
        } else if (states.get(name).map(state -> state.status() == Status.FAILING).orElse(false)) {
            states.record(name, Status.OK, null);
        }
    }
}
