package io.switchboard.outbox;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.switchboard.reliability.ProbeHttp;
import io.switchboard.source.SourceOutages;
import io.switchboard.storage.Databases;
import io.switchboard.support.IntegrationTestSupport;
import io.switchboard.support.TcpFaultProxy;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ScheduledPollConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The outbox trigger while the platform database is cut off (a TCP proxy in front of the
 * machine's PostgreSQL, the server's own database behind it) and the shop keeps committing
 * rows: the rows stay unprocessed, the source route pauses and retries by itself, one alert is
 * sent, and once the database is back every row is one event, DONE, and marked.
 */
@TestPropertySource(properties = {"switchboard.outbox.enabled=true", "switchboard.outbox.delay=100ms",
        "switchboard.outbox.back-off=2s", "spring.datasource.hikari.connection-timeout=1000"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OutboxOutageIT extends IntegrationTestSupport {

    private static final String ALERT = "Events of outbox-intake cannot be stored";

    private static ShopDatabase shop;
    private static String platform;
    private static TcpFaultProxy proxy;

    @Autowired
    private ProbeHttp probeHttp;

    @Autowired
    private SourceOutages outages;

    @Autowired
    private CamelContext camel;

    @DynamicPropertySource
    static void databases(DynamicPropertyRegistry registry) throws Exception {
        shop = ShopDatabase.postgres();
        platform = Databases.newPostgresDatabase("outbox_outage");
        proxy = new TcpFaultProxy("127.0.0.1", 5432);
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + platform);
        registry.add("spring.datasource.username", () -> Databases.POSTGRES_USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("switchboard.connections.shop-db.url", () -> shop.url);
        registry.add("switchboard.connections.shop-db.username", () -> shop.user);
    }

    @AfterAll
    static void dropDatabases() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (shop != null) {
            shop.close();
        }
        if (platform != null) {
            Databases.dropPostgresDatabase(platform);
        }
    }

    @Test
    void rowsCommittedWhileThePlatformDatabaseIsCutOffAreStoredOnceAfterwardsWithOneAlert() throws Exception {
        probeHttp.server().stubFor(post("/chat").willReturn(ok("ok")));
        String before = UUID.randomUUID().toString();
        shop.insert(before, "order", "o-0", "order.placed", "{\"n\": 0}");
        await().atMost(Duration.ofSeconds(30)).until(() -> shop.processed(before));

        proxy.cut();
        List<String> rows = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String id = UUID.randomUUID().toString();
            shop.insert(id, "order", "o-" + i, "order.placed", "{\"n\": " + i + "}");
            rows.add(id);
        }
        ScheduledPollConsumer consumer = (ScheduledPollConsumer) camel.getRoute("source-outbox-intake").getConsumer();
        await().atMost(Duration.ofSeconds(30)).until(() -> outages.isFailing("outbox-intake"));
        await().atMost(Duration.ofSeconds(10)).until(consumer::isSuspended);
        // Longer than two back-offs: the route resumed, failed again and paused again meanwhile.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
                .until(() -> shop.pending().containsAll(rows));

        proxy.restore();
        await().atMost(Duration.ofSeconds(60)).until(() -> shop.pending().isEmpty());
        for (String id : rows) {
            List<String> events = jdbc.queryForList("select id from event where integration = 'outbox-intake' "
                    + "and delivery_id = ?", String.class, "outbox:outbox:" + id);
            assertThat(events).as("events of row " + id).hasSize(1);
            awaitStatus(events.get(0), "DONE");
        }
        assertThat(outages.isFailing("outbox-intake")).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !chats(":rotating_light: " + ALERT).isEmpty());
        assertThat(chats(":rotating_light: " + ALERT)).as("alerts raised for the outage").hasSize(1);
    }

    private List<LoggedRequest> chats(String text) {
        return probeHttp.server().findAll(postRequestedFor(urlEqualTo("/chat")).withRequestBody(containing(text)));
    }
}
