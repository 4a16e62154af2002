package io.switchboard.drill;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.drill.Drills.DrillResult;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The drills' table, {@code drill_run}: the one place that reads and writes it. */
@Component
class DrillStore {

    private static final String COLUMNS = "id, integration, status, requested_by, started_at, finished_at, route_digest, "
            + "result";
    private static final String END_STALE = "update drill_run set status = 'failed', finished_at = ? where integration = ? "
            + "and status = 'running'";
    private static final String INSERT = "insert into drill_run (id, integration, status, requested_by, started_at, "
            + "route_digest, result) values (?, ?, ?, ?, ?, ?, ?)";
    private static final String FINISH = "update drill_run set status = ?, finished_at = ?, result = ? where id = ?";
    private static final String LAST = "select " + COLUMNS + " from drill_run where integration = ? "
            + "order by started_at desc limit 1";
    private static final String LAST_OF_EACH = "select " + COLUMNS + " from drill_run d where started_at = "
            + "(select max(started_at) from drill_run where integration = d.integration)";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;

    DrillStore(JdbcTemplate jdbc, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** Records a drill starting; one left "running" by a server that stopped mid-drill is over (failed). */
    void started(DrillResult started) {
        jdbc.update(END_STALE, Timestamp.from(Instant.now(clock)), started.integration());
        jdbc.update(INSERT, started.drillId(), started.integration(), started.status(), started.requestedBy(),
                Timestamp.from(started.startedAt()), started.routeDigest(), "[]");
    }

    void finished(String drillId, Outcome verdict, List<CaseResult> cases) {
        jdbc.update(FINISH, verdict.word(), Timestamp.from(Instant.now(clock)), write(cases), drillId);
    }

    /** A drill that broke off: one failed pseudo-case saying why. */
    void brokeOff(String drillId, RuntimeException broken) {
        jdbc.update(FINISH, Outcome.FAILED.word(), Timestamp.from(Instant.now(clock)), write(List.of(new CaseResult(
                "drill", Outcome.FAILED, String.valueOf(broken.getMessage()), List.of(), Map.of()))), drillId);
    }

    Optional<DrillResult> last(String integration) {
        return jdbc.query(LAST, (rs, n) -> result(rs), integration).stream().findFirst();
    }

    Map<String, DrillResult> lastOfEach() {
        Map<String, DrillResult> last = new LinkedHashMap<>();
        jdbc.query(LAST_OF_EACH, (rs, n) -> result(rs)).forEach(drill -> last.put(drill.integration(), drill));
        return last;
    }

    private String write(List<CaseResult> cases) {
        try {
            return json.writeValueAsString(cases);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private DrillResult result(ResultSet rs) throws SQLException {
        List<CaseResult> cases;
        try {
            cases = List.of(json.readValue(rs.getString(8), CaseResult[].class));
        } catch (JsonProcessingException unreadable) {
            cases = List.of();
        }
        Timestamp finished = rs.getTimestamp(6);
        return new DrillResult(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getTimestamp(5).toInstant(), finished == null ? null : finished.toInstant(), rs.getString(7), cases);
    }
}
