package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.WebhookIngress;
import io.switchboard.integration.CardReload;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteFileProblems;
import io.switchboard.integration.Trigger;
import io.switchboard.security.TestLogins;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A new integration without a restart (dev): its route, card and schema are written into the
 * routes folder of the running server, which serves it; a broken card keeps the previous one
 * working and the card in the console says why.
 */
@SwitchboardTest
class CardReloadTest {

    private static final String ROUTE = """
            - route:
                id: card-probe
                from:
                  uri: inbox:card-probe
                  steps:
                    - idempotentConsumer:
                        simple: ${header.SwitchboardEventId}
                        idempotentRepository: card-probe-idempotency
                        steps:
                          - setHeader:
                              name: greeting
                              constant: "{{switchboard.integrations.card-probe.settings.greeting}}"
            """;

    private static final String CARD = """
            trigger: webhook
            card:
              description: %s
              owner: tests
            webhook:
              auth: api-key
              secret: card-probe-key
            settings:
              greeting: %s
            """;

    @Autowired
    CamelContext camel;

    @Autowired
    IntegrationsProperties integrations;

    @Autowired
    RouteFileProblems problems;

    @Autowired
    CardReload cards;

    @Autowired
    WebhookIngress ingress;

    @LocalServerPort
    int port;

    @TempDir
    Path folder;

    private final HttpClient http = HttpClient.newHttpClient();
    private SafeRouteReload reload;

    @BeforeEach
    void setUp() {
        reload = new SafeRouteReload(folder.toString(), integrations, problems, cards, ingress::reloadSchema);
        reload.setCamelContext(camel);
    }

    @AfterEach
    void removeTheIntegration() throws Exception {
        if (camel.getRoute("card-probe") != null) {
            camel.getRouteController().stopRoute("card-probe");
            camel.removeRoute("card-probe");
        }
        for (String file : List.of("card-probe.card.yaml", "card-probe.schema.json", "card-probe.camel.yaml")) {
            Files.deleteIfExists(folder.resolve(file));
        }
        reload.reload(List.of(resource("card-probe.card.yaml")));
        assertThat(integrations.find("card-probe")).isEmpty();
        problems.all().forEach(problem -> problems.accepted(problem.file()));
    }

    @Test
    void aNewRouteWithItsCardAndSchemaIsServedWithoutARestart() throws Exception {
        assertThat(post("{\"n\":1}").statusCode()).as("unknown before its files exist").isEqualTo(404);

        // The route first, as an editor saves it: refused for want of a card, naming the card file to add.
        write("card-probe.camel.yaml", ROUTE);
        assertThat(camel.getRoute("card-probe")).isNull();
        assertThat(problems.forIntegration("card-probe")).isEmpty();
        assertThat(problems.all()).anySatisfy(problem -> assertThat(problem.message())
                .contains("belongs to no integration").contains("card-probe.card.yaml"));

        write("card-probe.schema.json", """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["n"]}
                """);
        write("card-probe.card.yaml", CARD.formatted("a probe written while the server runs", "v1"));

        assertThat(integrations.find("card-probe")).hasValueSatisfying(card -> {
            assertThat(card.trigger()).isEqualTo(Trigger.WEBHOOK);
            assertThat(card.card().description()).isEqualTo("a probe written while the server runs");
        });
        assertThat(camel.getRouteController().getRouteStatus("card-probe")).isEqualTo(ServiceStatus.Started);
        assertThat(greeting()).isEqualTo("v1");
        assertThat(problems.all()).noneSatisfy(problem -> assertThat(problem.file()).contains("card-probe"));

        assertThat(post("{\"other\":1}").statusCode()).as("the schema beside the route applies").isEqualTo(400);
        HttpResponse<String> accepted = post("{\"n\":1}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String eventId = accepted.body().replaceAll(".*\"eventId\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("/api/events/" + eventId))
                .contains("\"DONE\""));
        assertThat(get("/api/integrations")).contains("a probe written while the server runs");

        // A changed setting on the card reaches the running route: the route is built again with it.
        Route before = camel.getRoute("card-probe");
        write("card-probe.card.yaml", CARD.formatted("a probe written while the server runs", "v2"));
        assertThat(greeting()).isEqualTo("v2");
        assertThat(camel.getRoute("card-probe")).isNotNull().isNotSameAs(before);
    }

    @Test
    void aBrokenCardKeepsThePreviousOneWorkingAndTheCardSaysWhy() throws Exception {
        write("card-probe.camel.yaml", ROUTE);
        write("card-probe.card.yaml", CARD.formatted("the good card", "v1"));
        assertThat(post("{\"n\":1}").statusCode()).isEqualTo(202);

        write("card-probe.card.yaml", CARD.formatted("the broken card", "v1").replace("trigger: webhook", "trigger: webhok"));
        assertThat(integrations.find("card-probe")).hasValueSatisfying(card ->
                assertThat(card.card().description()).isEqualTo("the good card"));
        assertThat(problems.forIntegration("card-probe")).hasValueSatisfying(problem -> assertThat(problem.message())
                .contains("card-probe.card.yaml").contains("webhok"));
        assertThat(post("{\"n\":2}").statusCode()).as("still received with the previous card").isEqualTo(202);
        assertThat(get("/api/integrations")).contains("\"routeFileProblem\"").contains("webhok");

        write("card-probe.card.yaml", CARD.formatted("the fixed card", "v1").replace("secret: card-probe-key\n", ""));
        assertThat(problems.forIntegration("card-probe")).as("a webhook without a secret is refused in tests as in production")
                .hasValueSatisfying(problem -> assertThat(problem.message()).contains("webhook.secret is empty"));

        write("card-probe.card.yaml", CARD.formatted("the fixed card", "v1"));
        assertThat(problems.forIntegration("card-probe")).isEmpty();
        assertThat(integrations.find("card-probe").orElseThrow().card().description()).isEqualTo("the fixed card");
    }

    @Test
    void aCardIsNotDeletedWhileItsRouteRuns() throws Exception {
        write("card-probe.camel.yaml", ROUTE);
        write("card-probe.card.yaml", CARD.formatted("the card", "v1"));
        Files.delete(folder.resolve("card-probe.card.yaml"));
        reload.reload(List.of(resource("card-probe.card.yaml")));
        assertThat(integrations.find("card-probe")).isPresent();
        assertThat(problems.forIntegration("card-probe")).hasValueSatisfying(problem ->
                assertThat(problem.message()).contains("card was deleted").contains("delete card-probe.camel.yaml"));
        assertThat(post("{\"n\":1}").statusCode()).isEqualTo(202);

        camel.getRouteController().stopRoute("card-probe");
        camel.removeRoute("card-probe");
        reload.reload(List.of(resource("card-probe.card.yaml")));
        assertThat(integrations.find("card-probe")).isEmpty();
        assertThat(post("{\"n\":2}").statusCode()).isEqualTo(404);
    }

    @Test
    void aCardWithAKeyOutsideTheCardShapeIsRefusedNamingIt() throws Exception {
        write("card-probe.card.yaml", "switchboard:\n  integrations:\n    card-probe:\n      trigger: webhook\n");
        assertThat(integrations.find("card-probe")).isEmpty();
        assertThat(problems.forIntegration("card-probe")).hasValueSatisfying(problem ->
                assertThat(problem.message()).contains("unknown key [switchboard]"));
    }

    private void write(String name, String content) throws Exception {
        Files.writeString(folder.resolve(name), content);
        reload.reload(List.of(resource(name)));
    }

    private Resource resource(String name) {
        return PluginHelper.getResourceLoader(camel).resolveResource("file:" + folder.resolve(name).toAbsolutePath());
    }

    private String greeting() {
        return camel.resolvePropertyPlaceholders("{{switchboard.integrations.card-probe.settings.greeting}}");
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/webhooks/card-probe"))
                .header("Content-Type", "application/json").header("X-Api-Key", "card-probe-key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", TestLogins.ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
