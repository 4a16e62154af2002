package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code idempotentRepository: once} and {@code {{rate:<route>}}}: the reliability kit written once per route. */
@SwitchboardTest
class OnceStepsTest {

    @Autowired
    OnceSteps once;

    @Autowired
    InboxStore inbox;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CamelContext camel;

    @Test
    void aOnceOnlyStepIsRecordedInTheJournalWhenItFinishesAndSkippedAfterwards() {
        // probe-limited has no route: the event waits in the inbox while the test plays the route.
        String eventId = inbox.enqueue("probe-limited", "once-" + UUID.randomUUID(), "{}");
        String key = eventId + "/welcome-email";
        assertThat(once.contains(key)).as("not done yet: the block runs").isFalse();

        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(OnceSteps.DETAIL, "sent to the lead");
        assertThat(once.add(exchange, key)).isTrue();

        assertThat(once.contains(key)).as("done: a retry skips the block").isTrue();
        assertThat(once.add(exchange, key)).isFalse();
        assertThat(jdbc.queryForList("select detail from event_step where event_id = ? and step = 'welcome-email' "
                + "and outcome = 'ok'", String.class, eventId)).containsExactly("sent to the lead");
        assertThat(once.contains(eventId + "/team-chat")).as("another step of the same event").isFalse();
    }

    @Test
    void aKeyWithoutTheStepNameIsAClearError() {
        assertThatThrownBy(() -> once.contains("no-step")).hasMessageContaining("${header.SwitchboardEventId}/<step>");
    }

    @Test
    void rateOfARouteIsTheLowestRateOfTheConnectionsItCalls() {
        // In the tests crm, mail and chat all allow 500/s (test-overrides.properties), billing 200/s.
        assertThat(camel.resolvePropertyPlaceholders("{{rate:lead-intake}}")).isEqualTo("500");
        assertThat(camel.resolvePropertyPlaceholders("{{rate:invoice-sync}}")).isEqualTo("200");
        assertThatThrownBy(() -> camel.resolvePropertyPlaceholders("{{rate:no-such-route}}"))
                .hasStackTraceContaining("names no route");
    }
}
