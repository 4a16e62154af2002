package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A drill of a route that writes to a database, sends mail or publishes to a broker runs against
 * the connection's test double (a scratch database made from its init script, a throwaway SMTP
 * server, a throwaway AMQP broker, the machine's Mosquitto or NATS under a prefix of the drill's
 * own), reads the route's effects from it, and cuts it off and slows it down through a fault
 * proxy; the real systems of drill-ledger, drill-mailer and drill-dispatch (test-routes/) are a
 * port nothing listens on, so a drill that reached one could not pass; drill-export writes into
 * a temporary folder, not its connection's. A connection without a double refuses the drill.
 */
class DrillDoublesTest extends IntegrationTestSupport {

    @Autowired
    CamelContext camel;

    @Test
    void aRouteWritingToADatabasePassesItsDrillAgainstAScratchDatabaseCutOffByTheFaultProxy() throws Exception {
        JsonNode drill = drill("drill-ledger");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"ledger-db row in ledger_orders\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).as(outage.toPrettyString()).isEqualTo("passed");
        assertThat(outage.get("reason").asText()).contains("ledger-db cut off").contains("slowed down");
        JsonNode cut = outage.get("evidence").get("ledger-db").get("cutOff");
        assertThat(cut.get("whileCut").asText()).isEqualTo("FAILED");
        assertThat(cut.get("connectionsRefusedOrReset").asInt()).isPositive();
        assertThat(cut.get("attempts").asInt()).isGreaterThan(1);
        assertThat(cut.get("effects").toString()).isEqualTo("{\"ledger-db row in ledger_orders\":1}");
        assertThat(caseNamed(drill, "duplicate").get("reason").asText()).contains("ledger-db row in ledger_orders");
        assertThat(caseNamed(drill, "volume").get("evidence").get("peakRequestsPerSecond").has("ledger-db")).isTrue();
        JsonNode refused = caseNamed(drill, "revoked-credential");
        assertThat(refused.get("outcome").asText()).as(refused.toPrettyString()).isEqualTo("passed");
        assertThat(refused.get("evidence").get("ledger-db").get("refused").asText()).startsWith("DEAD credentials");
    }

    @Test
    void aRouteSendingMailPassesItsDrillAgainstAThrowawayMailServerCutOffByTheFaultProxy() throws Exception {
        JsonNode drill = drill("drill-mailer");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"oncall-smtp mail to oncall@switchboard.example\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).as(outage.toPrettyString()).isEqualTo("passed");
        assertThat(outage.get("reason").asText()).contains("oncall-smtp cut off").contains("slowed down");
        JsonNode cut = outage.get("evidence").get("oncall-smtp").get("cutOff");
        assertThat(cut.get("whileCut").asText()).isEqualTo("FAILED");
        assertThat(cut.get("effects").toString()).isEqualTo("{\"oncall-smtp mail to oncall@switchboard.example\":1}");
        assertThat(caseNamed(drill, "permission").get("outcome").asText()).isEqualTo("skipped");
    }

    @Test
    void aRouteWritingFilesPassesItsDrillAgainstATemporaryFolderAndLeavesTheRealOneAlone() throws Exception {
        JsonNode drill = drill("drill-export");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"export-folder file\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).isEqualTo("skipped");
        assertThat(outage.get("reason").asText()).contains("export-folder").contains("no network");
        Path real = Path.of("target/drill-export-real");
        assertThat(!Files.exists(real) || isEmpty(real)).as("the real folder " + real + " is untouched").isTrue();
    }

    @Test
    void aRoutePublishingToAnAmqpBrokerPassesItsDrillAgainstAThrowawayBrokerCutOffByTheFaultProxy()
            throws Exception {
        JsonNode drill = drill("drill-dispatch");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"dispatch-broker message to alerts.urgent\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).as(outage.toPrettyString()).isEqualTo("passed");
        assertThat(outage.get("reason").asText()).contains("dispatch-broker cut off").contains("slowed down");
        JsonNode cut = outage.get("evidence").get("dispatch-broker").get("cutOff");
        assertThat(cut.get("whileCut").asText()).isEqualTo("FAILED");
        assertThat(cut.get("effects").toString()).isEqualTo("{\"dispatch-broker message to alerts.urgent\":1}");
        assertThat(caseNamed(drill, "volume").get("evidence").get("peakRequestsPerSecond").has("dispatch-broker"))
                .isTrue();
        JsonNode refused = caseNamed(drill, "revoked-credential");
        assertThat(refused.get("outcome").asText()).as(refused.toPrettyString()).isEqualTo("passed");
        assertThat(refused.get("evidence").get("dispatch-broker").get("refused").asText())
                .startsWith("DEAD credentials");
    }

    @Test
    void aRoutePublishingToMqttPassesItsDrillUnderATopicPrefixOfItsOwnOnTheRealBroker() throws Exception {
        JsonNode drill = drill("drill-mqtt-relay");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"relay-mqtt message to alerts/urgent\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).as(outage.toPrettyString()).isEqualTo("passed");
        assertThat(outage.get("reason").asText()).contains("relay-mqtt cut off").contains("slowed down");
        assertThat(outage.get("evidence").get("relay-mqtt").get("cutOff").get("whileCut").asText())
                .isEqualTo("FAILED");
        assertThat(drill.toString()).contains("topic prefix switchboard-drill/");
    }

    @Test
    void aRoutePublishingToNatsPassesItsDrillUnderASubjectPrefixOfItsOwnOnTheRealServer() throws Exception {
        JsonNode drill = drill("drill-nats-relay");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        assertThat(caseNamed(drill, "normal").get("evidence").get("effects").toString())
                .isEqualTo("{\"relay-nats message to alerts.urgent\":1}");
        JsonNode outage = caseNamed(drill, "outage");
        assertThat(outage.get("outcome").asText()).as(outage.toPrettyString()).isEqualTo("passed");
        assertThat(outage.get("reason").asText()).contains("relay-nats cut off").contains("slowed down");
        assertThat(outage.get("evidence").get("relay-nats").get("cutOff").get("whileCut").asText())
                .isEqualTo("FAILED");
        assertThat(drill.toString()).contains("subject prefix switchboard-drill.");
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.noneMatch(Files::isRegularFile);
        }
    }

    @Test
    void aDatabaseWithoutATestDoubleRefusesTheDrillNamingIt() throws Exception {
        // A part of drill-ledger (its id says so) that also writes to sandbox-shop-db, which names no test double.
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:drill-ledger-shop").routeId("drill-ledger-shop").autoStartup(false)
                        .throttle(constant(10)).to("connection:sandbox-shop-db?sql=delete from orders");
            }
        });
        try {
            HttpResponse<String> refused = callAs("operator", "POST", "/api/integrations/drill-ledger/drills", null);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("Connection sandbox-shop-db").contains("jdbc").contains("test-double.init")
                    .contains("real system");
        } finally {
            Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition part = model.getRouteDefinition("drill-ledger-shop");
            if (part != null) {
                model.removeRouteDefinition(part);
            }
            camel.removeRoute("drill-ledger-shop");
        }
    }

    @Test
    void aTestEventOfARouteWritingToADatabaseIsRefusedPointingToTheDrill() throws Exception {
        HttpResponse<String> refused = callAs("operator", "POST", "/api/integrations/drill-ledger/test-events",
                "{\"orderId\": \"O-1\", \"customer\": \"ada@example.com\", \"totalCents\": 1}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("ledger-db").contains("jdbc").contains("/api/integrations/drill-ledger/drills");
    }

    @Test
    void aTestEventOutsideADrillNeverReachesTheRealDatabase() {
        // A test event of drill-ledger (a re-run of a drill's, one emitted down a test chain) with
        // no drill running: no double stands in, and the real database is not called.
        String event = inbox.acceptTest("drill-ledger", "outside-a-drill-" + UUID.randomUUID(),
                "{\"orderId\": \"O-outside\", \"customer\": \"ada@example.com\", \"totalCents\": 1}", "tests")
                .eventId();
        signal.wake("drill-ledger");

        awaitStatus(event, "DEAD");
        assertThat(jdbc.queryForObject("select last_error from event where id = ?", String.class, event))
                .contains("connection:ledger-db").contains("test event never reaches");
    }

    private JsonNode drill(String integration) throws Exception {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/" + integration + "/drills",
                    null);
            // 409 while another test's drill runs: drills go one at a time.
            assertThat(started.statusCode()).as(started.body()).isIn(202, 409);
            return started.statusCode() == 202;
        });
        JsonNode[] last = new JsonNode[1];
        await().alias("the drill of " + integration + " to finish").atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    last[0] = asAdmin("GET", "/api/integrations/" + integration + "/drills", null);
                    return !last[0].get("status").asText().equals("running");
                });
        last[0].get("cases").forEach(c -> System.out.printf("  %-19s %-12s %s%n", c.get("name").asText(),
                c.get("outcome").asText(), c.get("reason").asText()));
        return last[0];
    }

    private static JsonNode caseNamed(JsonNode drill, String name) {
        for (JsonNode c : drill.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name + " in " + drill);
    }
}
