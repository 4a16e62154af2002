package io.switchboard.drill;

import static io.switchboard.drill.Outcome.FAILED;
import static io.switchboard.drill.Outcome.INCONCLUSIVE;
import static io.switchboard.drill.Outcome.PASSED;
import static io.switchboard.drill.Outcome.SKIPPED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void aDrillPassesOnlyWhenEveryCaseThatAppliedPassed() {
        assertThat(Outcome.verdict(List.of(PASSED, SKIPPED, PASSED))).isEqualTo(PASSED);
        assertThat(Outcome.verdict(List.of(PASSED, INCONCLUSIVE, SKIPPED))).isEqualTo(INCONCLUSIVE);
        assertThat(Outcome.verdict(List.of(PASSED, INCONCLUSIVE, FAILED))).isEqualTo(FAILED);
        assertThat(Outcome.verdict(List.of(SKIPPED, SKIPPED))).isEqualTo(INCONCLUSIVE);
    }

    @Test
    void outcomesAreTheLowerCaseWordsInJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(INCONCLUSIVE)).isEqualTo("\"inconclusive\"");
        assertThat(json.readValue("\"passed\"", Outcome.class)).isEqualTo(PASSED);
    }

    @Test
    void twoCallsHalfASecondApartBreakALimitOfOnePerSecondEvenAcrossACalendarSecond() {
        Instant edge = Instant.parse("2026-01-01T00:00:00.750Z");
        assertThat(DrillContext.peakWithinOneSecond(List.of(edge, edge.plusMillis(500)))).isEqualTo(2);
        // Evenly spaced at the limit, a few ms early: one per second.
        assertThat(DrillContext.peakWithinOneSecond(List.of(edge, edge.plusMillis(960), edge.plusMillis(1_990))))
                .isEqualTo(1);
        assertThat(DrillContext.peakWithinOneSecond(List.of())).isZero();
    }
}
