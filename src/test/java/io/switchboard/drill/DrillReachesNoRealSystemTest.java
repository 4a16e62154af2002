package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import io.switchboard.support.IntegrationTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A drill acts only on the sandbox and test doubles: a connection with neither refuses the drill,
 * whichever of the integration's routes calls it, not only its main route. A test event of a
 * route that calls a database, broker, mail server or folder is refused, pointing to the drill.
 */
class DrillReachesNoRealSystemTest extends IntegrationTestSupport {

    private static final String TICKET = "{\"ticketId\":\"T-1\",\"email\":\"ada@example.com\","
            + "\"subject\":\"Printer on fire\"}";

    @Autowired
    CamelContext camel;

    @Test
    void aPartRouteCallingASystemWithoutATestDoubleRefusesTheDrillNamingTheConnection() throws Exception {
        // shop-mailbox reads mail (IMAP): only sending mail has a double.
        withAPartCalling("connection:shop-mailbox", () -> {
            HttpResponse<String> refused = callAs("operator", "POST", "/api/integrations/ticket-alert/drills", null);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("Connection shop-mailbox (mail) has no test double")
                    .contains("real system");
        });
    }

    @Test
    void aTestEventOfARouteCallingABrokerIsRefusedPointingToTheDrill() throws Exception {
        withAPartCalling("connection:orders-broker?routingKey=escalations", () -> {
            HttpResponse<String> refused = callAs("operator", "POST", "/api/integrations/ticket-alert/test-events",
                    TICKET);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("orders-broker").contains("amqp")
                    .contains("/api/integrations/ticket-alert/drills");
        });
        // Without that part, the same test event is taken.
        HttpResponse<String> taken = callAs("operator", "POST", "/api/integrations/ticket-alert/test-events", TICKET);
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(202);
    }

    private interface Check {
        void run() throws Exception;
    }

    private void withAPartCalling(String uri, Check check) throws Exception {
        // A part of ticket-alert (its id says so) that calls a system the sandbox does not stand in for.
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:ticket-alert-escalate").routeId("ticket-alert-escalate").autoStartup(false)
                        .throttle(constant(10)).toD(uri);
            }
        });
        try {
            check.run();
        } finally {
            Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition part = model.getRouteDefinition("ticket-alert-escalate");
            if (part != null) {
                model.removeRouteDefinition(part);
            }
            camel.removeRoute("ticket-alert-escalate");
            assertThat(model.getRouteDefinition("ticket-alert-escalate")).isNull();
        }
    }
}
