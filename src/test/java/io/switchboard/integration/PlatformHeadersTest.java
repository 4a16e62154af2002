package io.switchboard.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** A route's {@code removeHeaders: "*"} clears the caller's headers, not the platform's own. */
@SwitchboardTest
class PlatformHeadersTest {

    private static final String ROUTE = "platform-headers-probe";

    /** The pattern copied from a template, followed by a once-only step keyed on the event id. */
    private static final String ROUTE_FILE = """
            - route:
                id: platform-headers-probe
                from:
                  uri: direct:platform-headers-probe
                  steps:
                    - removeHeaders: "*"
                    - setProperty: {name: eventIdAfterRemove, simple: "${header.SwitchboardEventId}"}
                    - idempotentConsumer:
                        simple: ${header.SwitchboardEventId}/after-remove-headers
                        idempotentRepository: once
                        eager: false
                        completionEager: true
                        steps:
                          - setProperty: {name: stepDetail, constant: noted after removeHeaders}
            """;

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    InboxStore inbox;

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void removeRoute() throws Exception {
        camel.getRouteController().stopRoute(ROUTE);
        camel.removeRoute(ROUTE);
    }

    @Test
    void removeHeadersStarKeepsTheEventIdSoTheOnceStepIsJournaled() throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("platform-headers-probe.camel.yaml",
                ROUTE_FILE));
        // probe-limited has no route: its event waits in the inbox while the test plays one.
        String eventId = inbox.enqueue("probe-limited", "headers-" + UUID.randomUUID(), "{}");

        Exchange done = producer.send("direct:" + ROUTE, exchange -> {
            exchange.getMessage().setBody("{}");
            exchange.getMessage().setHeaders(new HashMap<>(Map.of(InboxHeaders.EVENT_ID, eventId,
                    InboxHeaders.ATTEMPT, 1, "X-Caller", "secret")));
        });

        assertThat(done.getException()).isNull();
        assertThat(done.getProperty("eventIdAfterRemove", String.class)).isEqualTo(eventId);
        assertThat(done.getMessage().getHeader("X-Caller")).as("the caller's headers still go").isNull();
        assertThat(done.getMessage().getHeader(InboxHeaders.ATTEMPT)).isEqualTo(1);
        assertThat(jdbc.queryForList("select detail from event_step where event_id = ? and step = "
                + "'after-remove-headers' and outcome = 'ok'", String.class, eventId))
                .containsExactly("noted after removeHeaders");
    }
}
