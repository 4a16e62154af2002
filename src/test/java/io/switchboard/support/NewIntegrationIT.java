package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardApplication;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.storage.Databases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Adding an integration breaks no other test: a new webhook integration (a copy of the
 * ticket-alert example under the id {@value #ID}: route file, schema, and a card whose secret
 * placeholder {@code ${TICKET_EXTRA_WEBHOOK_SECRET:}} is empty) is put beside the real
 * {@code routes/} in a temporary folder, and a server starts on it the way the cluster test's
 * nodes do: the {@code cluster} profile, not {@code test}, on a PostgreSQL database of its own.
 * The card is given as properties, so the test holds wherever cards are written.
 */
class NewIntegrationIT {

    static final String ID = "ticket-extra";
    static final String ADMIN_PASSWORD = "new-integration-admin-password";

    @TempDir
    Path folder;

    private String database;
    private Path routes;
    private Path schemas;

    @BeforeEach
    void copyTheRoutesAndAddOne() throws Exception {
        routes = Files.createDirectories(folder.resolve("routes"));
        schemas = Files.createDirectories(folder.resolve("schemas"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            // Every integration's files: its route, its card and its schema.
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")
                    || f.toString().endsWith(".card.yaml") || f.toString().endsWith(".schema.json")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve(ID + ".camel.yaml"), Files.readString(
                Path.of("src/test/resources/test-routes/ticket-alert.camel.yaml")).replace("ticket-alert", ID));
        Files.copy(Path.of("src/test/resources/schemas/ticket-alert.schema.json"), schemas.resolve(ID + ".schema.json"));
        database = Databases.newPostgresDatabase("new_integration");
    }

    @AfterEach
    void dropTheDatabase() throws Exception {
        if (database != null) {
            Databases.dropPostgresDatabase(database);
        }
    }

    @Test
    void aNewWebhookIntegrationWithoutASecretStartsAClusterNodeAndPassesItsDrill() throws Exception {
        try (ConfigurableApplicationContext node = start()) {
            String base = "http://localhost:" + node.getEnvironment().getProperty("local.server.port");
            ApiClient admin = new ApiClient(base, TestUsers.ADMIN, ADMIN_PASSWORD);
            ChatConnect.connect(base, "chat", TestUsers.ADMIN, ADMIN_PASSWORD);

            // Its secret is the test secret, and the existing integrations are unchanged.
            assertThat(node.getEnvironment().getProperty("switchboard.integrations." + ID + ".webhook.secret"))
                    .isEqualTo(TestSecrets.forIntegration(ID, "standard-webhooks"));
            Deliveries deliveries = new Deliveries(base, node.getBean(IntegrationsProperties.class));
            Deliveries.Delivery ticket = deliveries.send(ID, "{\"ticketId\":\"T-1\",\"email\":\"ada@example.com\","
                    + "\"subject\":\"Printer on fire\"}");
            assertThat(ticket.status()).as(ticket.body()).isEqualTo(202);
            Deliveries.Delivery lead = deliveries.send("lead-intake", "{\"submissionId\":\"new-1\","
                    + "\"email\":\"new-1@example.com\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}");
            assertThat(lead.status()).as(lead.body()).isEqualTo(202);

            JsonNode drill = drill(admin, ID);
            assertThat(drill.get("cases").findValuesAsText("outcome")).as(drill.toPrettyString())
                    .doesNotContain("failed").contains("passed");
            assertThat(drill.get("status").asText()).as(drill.toPrettyString()).isEqualTo("passed");
        }
    }

    @Test
    void withoutTheTestSecretsTheSameStartFailsAsBefore() {
        // What ClusterIT and IngestSmokePostgresIT met: the fix above is what makes the start work.
        assertThatThrownBy(() -> start("--" + TestSecrets.SWITCH + "=off").close())
                .hasStackTraceContaining("switchboard.integrations." + ID + ".webhook.secret is empty");
    }

    private ConfigurableApplicationContext start(String... more) {
        String card = "--switchboard.integrations." + ID + ".";
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--camel.springboot.main-run-controller=false",
                "--spring.datasource.url=" + Databases.postgresDatabaseUrl(database),
                "--spring.datasource.username=" + Databases.POSTGRES_USER,
                "--spring.datasource.password=",
                "--switchboard.node-id=new-integration",
                "--switchboard.security.admin.password=" + ADMIN_PASSWORD,
                "--switchboard.routes.directory=" + routes,
                "--switchboard.schemas.directories=config/schemas," + schemas,
                "--switchboard.drills.volume=12",
                "--switchboard.sandbox.enabled=true",
                "--switchboard.sandbox.crm.client-id=new-crm",
                "--switchboard.sandbox.crm.client-secret=new-crm-secret",
                "--switchboard.sandbox.crm.rate-limit=0",
                "--switchboard.sandbox.mail.api-key=new-mail-key",
                "--switchboard.sandbox.billing.api-key=new-billing-key",
                "--switchboard.sandbox.chat.token=new-chat-token",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.name=Switchboard (new integration)",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.secret=new-chat-app-secret",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.redirect-uris=http://localhost/oauth2/callback/chat",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.scopes=chat:write",
                // As ClusterIT's nodes: the existing integration's secret comes from the environment.
                "--LEAD_INTAKE_WEBHOOK_SECRET=whsec_bmV3LWludGVncmF0aW9uLWxlYWQtc2VjcmV0",
                "--CRM_CLIENT_ID=new-crm",
                "--CRM_CLIENT_SECRET=new-crm-secret",
                "--MAIL_API_KEY=new-mail-key",
                "--BILLING_API_KEY=new-billing-key",
                "--CHAT_WEBHOOK_TOKEN=new-chat-token",
                "--CHAT_CLIENT_ID=switchboard-chat-app",
                "--CHAT_CLIENT_SECRET=new-chat-app-secret",
                "--SWITCHBOARD_ENCRYPTION_KEY=bmV3LWludGVncmF0aW9uLXRlc3Qta2V5LTMyYnl0ZXM=",
                // The new card, as the author would write it, with the secret left to the environment.
                card + "trigger=webhook",
                card + "card.description=Urgent tickets, a second help desk",
                card + "card.data=ticketId, email, subject (required); description",
                card + "card.latency-budget=1m",
                card + "card.owner=support",
                card + "card.alert-channel=chat",
                card + "card.scopes.chat[0]=chat:write",
                card + "webhook.auth=standard-webhooks",
                card + "webhook.secret=${TICKET_EXTRA_WEBHOOK_SECRET:}"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(SwitchboardApplication.class)
                .web(WebApplicationType.SERVLET)
                .profiles("cluster")
                .run(args.toArray(String[]::new));
    }

    private static JsonNode drill(ApiClient admin, String integration) throws Exception {
        admin.json("POST", "/api/integrations/" + integration + "/drills", null);
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = admin.json("GET", "/api/integrations/" + integration + "/drills", null);
            return !last[0].get("status").asText().equals("running");
        });
        return last[0];
    }
}
