package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.storage.Databases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The regression guard of the ingest benchmark: a few seconds of concurrent signed webhooks
 * against a server process on PostgreSQL, with repeated deliveries mixed in. It fails on
 * an error or a lost or doubled event, never on timing (the benchmark measures that).
 */
class IngestSmokePostgresIT {

    private static final String SECRET = "whsec_c21va2UtdGVzdC1pbmdlc3Qtc2VjcmV0LTEyMzQ1Ng==";
    private static final int SENDERS = 16;
    private static final Duration LOAD = Duration.ofSeconds(4);

    private final ObjectMapper json = new ObjectMapper();
    private String database;
    private Process server;
    private Path logs;

    @BeforeEach
    void startServer() throws Exception {
        database = Databases.newPostgresDatabase("ingest_smoke");
        logs = Files.createDirectories(Path.of("target", "ingest-smoke"));
        Path noRoutes = Files.createTempDirectory("ingest-smoke-routes");
        // lead-intake's card and schema without its route: it receives, nothing processes.
        Files.copy(Path.of("routes", "lead-intake.card.yaml"), noRoutes.resolve("lead-intake.card.yaml"));
        Files.copy(Path.of("routes", "lead-intake.schema.json"), noRoutes.resolve("lead-intake.schema.json"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "io.switchboard.SwitchboardApplication",
                "--server.port=" + port,
                "--spring.profiles.active=postgres",
                "--spring.datasource.url=" + Databases.postgresDatabaseUrl(database),
                "--spring.datasource.username=" + Databases.POSTGRES_USER,
                "--spring.datasource.password=",
                "--switchboard.security.admin.password=ingest-smoke-admin-password",
                "--switchboard.integrations.lead-intake.webhook.rate-limit=0",
                // No routes: accepted events stay in the inbox, where they are counted.
                "--switchboard.routes.directory=" + noRoutes);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(logs.toFile(), "server.log")));
        builder.environment().put("LEAD_INTAKE_WEBHOOK_SECRET", SECRET);
        builder.environment().put("CRM_CLIENT_ID", "smoke-crm");
        builder.environment().put("CRM_CLIENT_SECRET", "smoke-crm-secret");
        builder.environment().put("MAIL_API_KEY", "smoke-mail-key");
        builder.environment().put("BILLING_API_KEY", "smoke-billing-key");
        builder.environment().put("CHAT_WEBHOOK_TOKEN", "smoke-chat-token");
        builder.environment().put("SWITCHBOARD_ENCRYPTION_KEY", "c21va2UtdGVzdC10b2tlbi1rZXktMzItYnl0ZXMhISE=");
        server = builder.start();
        baseUrl = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited; see " + logs.resolve("server.log"));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private String baseUrl;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(40, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (database != null) {
            Databases.dropPostgresDatabase(database);
        }
    }

    /** One answered request: the delivery id sent, the status and the event id received. */
    private record Answer(String deliveryId, int status, String eventId, boolean repeat) {
    }

    @Test
    void concurrentWebhooksWithRepeatsAreEachStoredExactlyOnceAndNoneFails() throws Exception {
        Map<String, String> bodies = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + LOAD.toNanos();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            running.add(senders.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                List<String> mine = new ArrayList<>();
                for (int n = 0; System.nanoTime() < deadline; n++) {
                    // Every 7th request repeats one of this sender's earlier deliveries, as a
                    // sender does that timed out and retries.
                    boolean repeat = n % 7 == 6 && !mine.isEmpty();
                    String id = repeat ? mine.get(n % mine.size()) : "msg_smoke_" + sender + "_" + n;
                    String body = bodies.computeIfAbsent(id, key -> "{\"submissionId\":\"" + key
                            + "\",\"email\":\"smoke+" + key + "@example.com\",\"firstName\":\"Ada\"}");
                    long timestamp = Instant.now().getEpochSecond();
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                        URI.create(baseUrl + "/webhooks/lead-intake"))
                                .header("Content-Type", "application/json")
                                .header("webhook-id", id)
                                .header("webhook-timestamp", Long.toString(timestamp))
                                .header("webhook-signature", Webhooks.sign(SECRET, id, timestamp, body))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        String eventId = response.statusCode() / 100 == 2
                                ? json.readTree(response.body()).path("eventId").asText() : null;
                        answers.add(new Answer(id, response.statusCode(), eventId, repeat));
                        if (response.statusCode() / 100 != 2) {
                            failures.add(id + " answered " + response.statusCode() + ": " + response.body());
                        } else if (!repeat) {
                            mine.add(id);
                        }
                    } catch (Exception e) {
                        failures.add(id + " failed: " + e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> sender : running) {
            sender.get(2, TimeUnit.MINUTES);
        }
        senders.shutdown();

        assertThat(failures).as("requests that were not answered 2xx").isEmpty();
        Map<String, String> firstEventOf = new ConcurrentHashMap<>();
        int accepted = 0;
        int repeats = 0;
        for (Answer answer : answers) {
            if (answer.repeat()) {
                repeats++;
                continue;
            }
            assertThat(answer.status()).as("first delivery of " + answer.deliveryId()).isEqualTo(202);
            assertThat(firstEventOf.put(answer.deliveryId(), answer.eventId())).as("a delivery id sent once").isNull();
            accepted++;
        }
        for (Answer answer : answers) {
            if (answer.repeat()) {
                assertThat(answer.status()).as("repeat of " + answer.deliveryId()).isEqualTo(200);
                assertThat(answer.eventId()).as("repeat of " + answer.deliveryId() + " names the first event")
                        .isEqualTo(firstEventOf.get(answer.deliveryId()));
            }
        }
        assertThat(accepted).as("the smoke run sent something").isGreaterThan(100);
        assertThat(repeats).as("repeated deliveries were mixed in").isGreaterThan(10);

        try (Connection db = DriverManager.getConnection(Databases.postgresDatabaseUrl(database), Databases.POSTGRES_USER, "");
                Statement query = db.createStatement()) {
            Set<String> stored = new HashSet<>();
            try (ResultSet rows = query.executeQuery("select id from event where integration = 'lead-intake'")) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
            }
            assertThat(stored).as("every 202 is a stored event, and nothing else is stored")
                    .containsExactlyInAnyOrderElementsOf(firstEventOf.values());
            assertThat(count(query, "select count(*) from inbox where integration = 'lead-intake'"))
                    .as("every stored event waits in the inbox").isEqualTo(accepted);
            assertThat(count(query, "select count(*) from event_step where step = 'received'"))
                    .as("one 'received' journal step per event").isEqualTo(accepted);
        }
        System.out.printf("ingest smoke: %d events and %d repeats from %d senders in %d s (information only)%n",
                accepted, repeats, SENDERS, LOAD.toSeconds());
    }

    private static int count(Statement query, String sql) throws Exception {
        try (ResultSet rows = query.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
