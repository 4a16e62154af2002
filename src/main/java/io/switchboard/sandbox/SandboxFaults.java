package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Faults injected into the simulated systems: the next N calls to a system answer a
 * status (503, 429 with Retry-After, 401, 403 naming a scope) and/or wait first. Kept in
 * the database, so every node of a cluster sees them and each call consumes one.
 */
@SandboxEnabled
@Component
class SandboxFaults {

    static final Set<String> SYSTEMS = Set.of("crm", "oauth", "mail", "billing", "chat");

    private final JdbcTemplate jdbc;
    private final Clock clock;

    SandboxFaults(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One injected fault with the calls it still applies to. */
    /** @param match only calls whose query or body contain it meet the fault ({@code null}: every call) */
    record Fault(long id, String system, Integer status, int remaining, Integer retryAfter, int delayMs, String scope,
            String match) {
    }

    void add(String system, Integer status, int count, Integer retryAfter, int delayMs, String scope, String match) {
        jdbc.update("insert into sandbox_fault (target_system, status, remaining, retry_after, delay_ms, scope, "
                + "match_text, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)", system, status, count, retryAfter, delayMs,
                scope, match, Timestamp.from(Instant.now(clock)));
    }

    private static final String COLUMNS = "id, target_system, status, remaining, retry_after, delay_ms, scope, match_text";

    private static Fault fault(ResultSet rs, int row) throws SQLException {
        return new Fault(rs.getLong(1), rs.getString(2), (Integer) rs.getObject(3), rs.getInt(4),
                (Integer) rs.getObject(5), rs.getInt(6), rs.getString(7), rs.getString(8));
    }

    List<Fault> all() {
        return jdbc.query("select " + COLUMNS + " from sandbox_fault where remaining > 0 order by id", SandboxFaults::fault);
    }

    /**
     * Takes one call's worth of the oldest fault for {@code system} that applies to a call
     * carrying {@code call} (its query and body), if there is one.
     */
    Optional<Fault> take(String system, Predicate<String> call) {
        for (int attempt = 0; attempt < 5; attempt++) {
            List<Fault> next = jdbc.query("select " + COLUMNS + " from sandbox_fault where target_system = ? "
                    + "and remaining > 0 order by id", SandboxFaults::fault, system).stream()
                    .filter(f -> f.match() == null || call.test(f.match())).toList();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            Fault fault = next.get(0);
            // Only the caller whose decrement lands gets the fault, so N faults hit exactly N calls.
            if (jdbc.update("update sandbox_fault set remaining = remaining - 1 where id = ? and remaining = ?",
                    fault.id(), fault.remaining()) == 1) {
                return Optional.of(fault);
            }
        }
        return Optional.empty();
    }

    void clear() {
        jdbc.update("delete from sandbox_fault");
    }
}
