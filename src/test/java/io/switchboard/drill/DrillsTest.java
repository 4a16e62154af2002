package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardTest;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every integration in {@code routes/} is drilled, so a new integration is drilled in CI
 * without a test of its own; a deliberately broken copy of a route fails the case that should
 * catch it.
 */
@SwitchboardTest
class DrillsTest extends IntegrationTestSupport {

    static Stream<String> integrationsInRoutes() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".camel.yaml"))
                    .map(f -> f.substring(0, f.length() - ".camel.yaml".length())).sorted().toList().stream();
        }
    }

    /**
     * One test per integration, each failure message led by its name (surefire's report numbers
     * the invocations): a new integration's failing drill names that integration, and the others
     * still run and pass.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("integrationsInRoutes")
    void everyIntegrationInRoutesPassesItsDrill(String integration) throws Exception {
        JsonNode drill = drill(integration);

        System.out.println("drill " + integration + ": " + drill.get("status").asText());
        drill.get("cases").forEach(c -> System.out.printf("  %-19s %-8s %s%n", c.get("name").asText(),
                c.get("outcome").asText(), c.get("reason").asText()));
        String named = "the drill of " + integration;
        assertThat(drill.get("cases").size()).as(named + ": its cases").isEqualTo(8);
        assertThat(drill.get("cases").findValuesAsText("outcome")).as(named + ": " + drill.toPrettyString())
                .doesNotContain("failed").contains("passed");
        assertThat(drill.get("status").asText()).as(named + ": its verdict").isEqualTo("passed");
        // A skipped case always says why.
        drill.get("cases").forEach(c -> {
            if (c.get("outcome").asText().equals("skipped")) {
                assertThat(c.get("reason").asText()).as(named + ": why " + c.get("name").asText() + " was skipped")
                        .isNotBlank();
            }
        });
        JsonNode brief = asAdmin("GET", "/api/drills", null).get(integration);
        assertThat(brief.get("drilled").asBoolean()).as(named + ": drilled in /api/drills").isTrue();
        assertThat(brief.get("current").asBoolean()).as(named + ": of the route file that runs").isTrue();
    }

    @Test
    void aRouteKeyedOnTheDeliveryIdFailsTheDuplicateCase() throws Exception {
        JsonNode drill = drill("drill-broken");

        assertThat(drill.get("status").asText()).isEqualTo("failed");
        JsonNode duplicate = caseNamed(drill, "duplicate");
        assertThat(duplicate.get("outcome").asText()).as(drill.toPrettyString()).isEqualTo("failed");
        assertThat(duplicate.get("reason").asText()).contains("doubled an effect").contains("chat POST");
        assertThat(duplicate.get("eventIds").size()).isEqualTo(2);
        assertThat(caseNamed(drill, "normal").get("outcome").asText()).isEqualTo("passed");
        JsonNode brief = asAdmin("GET", "/api/drills", null).get("drill-broken");
        assertThat(brief.get("drilled").asBoolean()).isFalse();
    }

    @Test
    void aRouteThatWritesNothingNeverPassesTheCasesThatCompareEffects() throws Exception {
        JsonNode drill = drill("drill-silent");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("inconclusive");
        for (String name : new String[] {"normal", "duplicate", "volume"}) {
            JsonNode c = caseNamed(drill, name);
            assertThat(c.get("outcome").asText()).as(drill.toPrettyString()).isEqualTo("inconclusive");
            assertThat(c.get("reason").asText()).contains("no effect to compare").contains("drill example");
        }
        assertThat(caseNamed(drill, "normal").get("reason").asText()).contains("the route writes nothing");
        assertThat(caseNamed(drill, "missing-data").get("outcome").asText()).isEqualTo("passed");
        assertThat(drill.get("cases").findValuesAsText("outcome")).doesNotContain("failed");
        JsonNode brief = asAdmin("GET", "/api/drills", null).get("drill-silent");
        assertThat(brief.get("status").asText()).isEqualTo("inconclusive");
        assertThat(brief.get("drilled").asBoolean()).isFalse();
    }

    @Test
    void aRouteBranchingOnNestedDataIsInconclusiveWithoutADrillExample() throws Exception {
        JsonNode drill = drill("issue-triage");

        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("inconclusive");
        assertThat(drill.get("cases").findValuesAsText("outcome")).as(drill.toPrettyString())
                .doesNotContain("failed");
        JsonNode normal = caseNamed(drill, "normal");
        assertThat(normal.get("outcome").asText()).isEqualTo("inconclusive");
        assertThat(normal.get("reason").asText()).contains("on some path").contains("drill example");
        for (String name : new String[] {"duplicate", "expired-credential", "permission", "outage", "volume"}) {
            assertThat(caseNamed(drill, name).get("outcome").asText()).as(name).isEqualTo("inconclusive");
        }
        // The generated payload was valid: a required field left out is still refused naming it.
        assertThat(caseNamed(drill, "missing-data").get("outcome").asText()).as(drill.toPrettyString())
                .isEqualTo("passed");
    }

    @Test
    void aRouteBranchingOnNestedDataPassesWithTheCardsDrillExample() throws Exception {
        JsonNode drill = drill("urgent-issues");

        drill.get("cases").forEach(c -> System.out.printf("  %-19s %-12s %s%n", c.get("name").asText(),
                c.get("outcome").asText(), c.get("reason").asText()));
        assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        JsonNode normal = caseNamed(drill, "normal");
        assertThat(normal.get("evidence").get("effects").toString()).contains("chat POST");
        assertThat(caseNamed(drill, "duplicate").get("outcome").asText()).isEqualTo("passed");
        assertThat(caseNamed(drill, "volume").get("outcome").asText()).isEqualTo("passed");
    }

    @Test
    void aSchedulesSkipReasonsNameWhatItsOwnRouteCalls() throws Exception {
        JsonNode drill = drill("billing-digest");

        for (String name : new String[] {"expired-credential", "revoked-credential", "permission"}) {
            JsonNode c = caseNamed(drill, name);
            assertThat(c.get("outcome").asText()).isEqualTo("skipped");
            assertThat(c.get("reason").asText()).as(name).contains("billing-digest").contains("[billing, chat]")
                    .contains("writing to [chat]").doesNotContain("invoices").doesNotContain("CRM");
        }
        assertThat(caseNamed(drill, "duplicate").get("reason").asText()).contains("[chat]");
    }

    @Test
    void anApiIntegrationsSkipReasonsNameTheConnectionsOfItsOwnRoutes() throws Exception {
        JsonNode drill = drill("customer-lookup");

        // customer-lookup calls the CRM and billing from its routes customer-lookup-crm and -billing.
        assertThat(caseNamed(drill, "permission").get("reason").asText()).contains("[crm, billing]")
                .contains("to read only");
        assertThat(caseNamed(drill, "duplicate").get("reason").asText()).contains("writes nothing");
    }

    @Test
    void drillsRefuseUnknownIntegrationsAViewerAndASecondDrillOfTheSameIntegration() throws Exception {
        assertThat(callAs("operator", "POST", "/api/integrations/nope/drills", null).statusCode()).isEqualTo(404);
        assertThat(callAs("viewer", "POST", "/api/integrations/lead-followup/drills", null).statusCode()).isEqualTo(403);

        HttpResponse<String> first = callAs("operator", "POST", "/api/integrations/lead-followup/drills", null);
        HttpResponse<String> second = callAs("operator", "POST", "/api/integrations/lead-followup/drills", null);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("is running");
        awaitFinished("lead-followup");
    }

    private JsonNode drill(String integration) throws Exception {
        // Drills run one at a time: one still running (another integration's, stuck) would hold
        // this one back, and the failure must name it, not this integration.
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(running()).as("drills still running, which the drill of " + integration
                        + " would wait behind").isEmpty());
        HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/" + integration + "/drills", null);
        assertThat(started.statusCode()).as("the drill of " + integration + ": " + started.body()).isEqualTo(202);
        assertThat(json.readTree(started.body()).get("status").asText()).isEqualTo("running");
        return awaitFinished(integration);
    }

    /** The integrations with a drill running. */
    private List<String> running() throws Exception {
        List<String> running = new ArrayList<>();
        asAdmin("GET", "/api/drills", null).fields().forEachRemaining(e -> {
            if ("running".equals(e.getValue().path("status").asText())) {
                running.add(e.getKey());
            }
        });
        return running;
    }

    private JsonNode awaitFinished(String integration) {
        JsonNode[] last = new JsonNode[1];
        await().alias("the drill of " + integration + " to finish").atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    last[0] = asAdmin("GET", "/api/integrations/" + integration + "/drills", null);
                    return !last[0].get("status").asText().equals("running");
                });
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
