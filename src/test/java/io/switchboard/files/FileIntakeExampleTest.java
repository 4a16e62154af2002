package io.switchboard.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.switchboard.integration.CardReload;
import io.switchboard.source.SourceRoutes;
import io.switchboard.support.IntegrationTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The folder example of {@code src/docs/writing-integrations.md} on a temporary folder: a dropped
 * file becomes one event and moves to {@code .done} only after that, the same file dropped again
 * is a duplicate (and moved too), and a file the inbox cannot store (a check constraint refuses its
 * row, as a database away would) stays where it was until it can, with one alert and the source
 * paused and resumed in between. A file card added while the server runs reads its folder at
 * once, and stops reading it when the card is removed.
 */
@TestPropertySource(properties = {"switchboard.files.enabled=true", "switchboard.files.delay=200ms",
        "switchboard.files.back-off=1s", "switchboard.files.read-lock-check-interval=100ms"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class FileIntakeExampleTest extends IntegrationTestSupport {

    private static Path drop;
    private static Path orders;

    @Autowired
    private CamelContext camel;

    @Autowired
    private CardReload cards;

    @DynamicPropertySource
    static void ownFolder(DynamicPropertyRegistry registry) throws IOException {
        drop = Files.createTempDirectory("sb-test-partner-drop");
        orders = Files.createDirectory(drop.resolve("orders"));
        registry.add("switchboard.connections.partner-drop.path", drop::toString);
    }

    @AfterAll
    static void deleteFolder() throws IOException {
        if (drop != null) {
            try (Stream<Path> all = Files.walk(drop)) {
                all.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void aDroppedFileBecomesOneEventAndMovesToDoneAfterwards() throws Exception {
        String order = UUID.randomUUID().toString();
        String content = "{\"orderId\":\"" + order + "\",\"total\":42}";
        Path file = dropFile("order-" + order + ".json", content, Instant.now());

        String eventId = awaitEvent(order);
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select payload from event where id = ?", String.class, eventId))
                .isEqualTo(content);
        assertThat(jdbc.queryForObject("select delivery_id from event where id = ?", String.class, eventId))
                .startsWith("file:order-" + order + ".json:" + content.length() + ":")
                .endsWith(":" + FileToEvent.sha256(content.getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(file)) && !Files.exists(file));
    }

    @Test
    void theSameFileDroppedAgainIsADuplicateAndIsMovedToo() throws Exception {
        String order = UUID.randomUUID().toString();
        String content = "{\"orderId\":\"" + order + "\"}";
        Instant modified = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        Path file = dropFile("again-" + order + ".json", content, modified);
        String eventId = awaitEvent(order);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(file)) && !Files.exists(file));
        Files.delete(done(file));

        dropFile("again-" + order + ".json", content, modified);

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(file)) && !Files.exists(file));
        assertThat(events(order)).hasSize(1);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void aFileTheIncludePatternDoesNotMatchIsLeftAlone() throws Exception {
        String order = UUID.randomUUID().toString();
        Path ignored = dropFile("notes-" + order + ".txt", "not an order " + order, Instant.now());
        Path taken = dropFile("order-" + order + ".json", "{\"orderId\":\"" + order + "\"}", Instant.now());

        awaitEvent(order);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(taken)));
        assertThat(ignored).exists();
        assertThat(events(order)).hasSize(1);
    }

    @Test
    void aFileTheInboxCannotStoreStaysInPlaceAndIsTakenAfterRecoveryWithOneAlert() throws Exception {
        String order = UUID.randomUUID().toString();
        String name = "outage-" + order + ".json";
        // The store fails for this file alone, as it would with the database away.
        jdbc.execute("alter table event add constraint file_outage_" + order.substring(0, 8)
                + " check (delivery_id not like 'file:" + name + ":%')");

        long failedBefore = failedExchanges();
        Path file = dropFile(name, "{\"orderId\":\"" + order + "\"}", Instant.now());

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(this::sourcePaused);
        // Resumed by itself after the back-off and tried again (the consumer reads nothing while paused).
        await().atMost(Duration.ofSeconds(10)).until(() -> failedExchanges() >= failedBefore + 2);
        assertThat(file).as("a file not stored stays where it was").exists();
        assertThat(done(file)).doesNotExist();
        assertThat(events(order)).isEmpty();
        Map<String, Object> alert = alert();
        assertThat(alert.get("occurrences")).isEqualTo(1L);
        assertThat(alert.get("resolved_at")).isNull();

        jdbc.execute("alter table event drop constraint file_outage_" + order.substring(0, 8));
        String eventId = awaitEvent(order);
        awaitStatus(eventId, "DONE");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(file)) && !Files.exists(file));
        assertThat(sourcePaused()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> alert().get("resolved_at") != null);
        assertThat(alert().get("occurrences")).as("one alert for the whole outage").isEqualTo(1L);
    }

    @Test
    void aFileCardAddedWhileTheServerRunsStartsItsSourceAndItsRemovalStopsIt(@TempDir Path routes) throws Exception {
        Path probeFolder = Files.createDirectory(drop.resolve("probe"));
        Path card = Files.writeString(routes.resolve("file-probe.card.yaml"), """
                trigger: file
                source:
                  connection: partner-drop
                  folder: probe
                card:
                  description: files dropped while the test runs
                  owner: tests
                """);
        assertThat(cards.reload(card, "file:" + card)).contains("file-probe");

        String order = UUID.randomUUID().toString();
        Path first = Files.move(Files.writeString(drop.resolve("first.json"), "{\"orderId\":\"" + order + "\"}"),
                probeFolder.resolve("first.json"));
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "select count(*) from event where integration = 'file-probe' and payload like ?", Integer.class,
                "%" + order + "%") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done(first)));

        Files.delete(card);
        assertThat(cards.reload(card, "file:" + card)).contains("file-probe");
        assertThat(camel.getRoute(SourceRoutes.routeId("file-probe"))).as("stopped with its card").isNull();
        Path second = Files.move(Files.writeString(drop.resolve("second.json"), "{\"second\":true}"),
                probeFolder.resolve("second.json"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> Files.exists(second));
        assertThat(jdbc.queryForObject("select count(*) from event where integration = 'file-probe'", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void theDocsShowThisRoute() throws Exception {
        assertDocsShowRouteFile("file-intake.camel.yaml");
    }

    /** Writes the file beside the folder and moves it in, as a careful partner would; then sets its time. */
    private static Path dropFile(String name, String content, Instant modified) throws IOException {
        Path written = Files.writeString(drop.resolve(name), content);
        Files.setLastModifiedTime(written, FileTime.from(modified));
        return Files.move(written, orders.resolve(name));
    }

    private static Path done(Path file) {
        return file.resolveSibling(".done").resolve(file.getFileName());
    }

    private long failedExchanges() throws Exception {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(SourceRoutes.routeId("file-intake")).getExchangesFailed();
    }

    private boolean sourcePaused() {
        return ServiceHelper.isSuspended(camel.getRoute(SourceRoutes.routeId("file-intake")).getConsumer());
    }

    private Map<String, Object> alert() {
        return jdbc.queryForMap("select occurrences, resolved_at from alert where alert_key = ?",
                "source-not-stored:file-intake");
    }

    private String awaitEvent(String order) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(order).size() == 1);
        return events(order).get(0);
    }

    private List<String> events(String order) {
        return jdbc.queryForList("select id from event where integration = 'file-intake' and payload like ?",
                String.class, "%" + order + "%");
    }
}
