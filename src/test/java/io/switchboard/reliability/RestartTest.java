package io.switchboard.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.switchboard.SwitchboardApplication;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Idempotency keys and pending retries live in the database, so a restart loses neither. */
class RestartTest {

    @TempDir
    Path data;

    @Test
    void keysAndPendingRetriesSurviveARestart() throws Exception {
        String url = "jdbc:h2:file:" + data.resolve("switchboard")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        String done = "order-" + UUID.randomUUID();
        String pending = "order-" + UUID.randomUUID();
        String pendingEvent;

        try (ConfigurableApplicationContext first = start(url)) {
            if (Files.getFileAttributeView(data, PosixFileAttributeView.class) != null) {
                // The payloads on disk are the server user's alone, from the first start on.
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        data.resolve("switchboard.mv.db")))).isEqualTo("rw-------");
            }
            ProbeHttp target = first.getBean(ProbeHttp.class);
            target.server().stubFor(post("/orders").willReturn(ok("{}")));
            InboxStore inbox = first.getBean(InboxStore.class);
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            String doneEvent = inbox.enqueue("probe-http", "d-" + done, "{\"orderId\":\"" + done + "\"}");
            first.getBean(InboxSignal.class).wake("probe-http");
            await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(jdbc, doneEvent)));

            // The target is down: the event is parked for a later attempt, far enough ahead
            // that only the next start can make it.
            target.server().stubFor(post("/orders").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "3")));
            pendingEvent = inbox.enqueue("probe-http", "p-" + pending, "{\"orderId\":\"" + pending + "\"}");
            first.getBean(InboxSignal.class).wake("probe-http");
            await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(status(jdbc, pendingEvent)));
        }

        // The pending retry may come due while the second server starts, before this test can
        // stub its fresh target: until then the target answers 503, as a system still starting would.
        try (ConfigurableApplicationContext second = start(url, "--switchboard.test.probe-http.unstubbed-status=503")) {
            ProbeHttp target = second.getBean(ProbeHttp.class);
            target.server().stubFor(post("/orders").willReturn(ok("{}")));
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("select count(*) from camel_messageprocessed where processor_name = ? "
                    + "and message_id = ?", Integer.class, "probe-http", done)).isOne();
            await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(jdbc, pendingEvent)));
            assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, pendingEvent))
                    .isGreaterThanOrEqualTo(2);

            // The key from before the restart still stops a repeat.
            String repeat = second.getBean(InboxStore.class).enqueue("probe-http", "r-" + done,
                    "{\"orderId\":\"" + done + "\"}");
            second.getBean(InboxSignal.class).wake("probe-http");
            await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(status(jdbc, repeat)));
            assertThat(target.server().findAll(WireMock.postRequestedFor(
                    WireMock.urlEqualTo("/orders"))
                    .withRequestBody(WireMock.containing(done)))).isEmpty();
        }
    }

    private static String status(JdbcTemplate jdbc, String eventId) {
        return jdbc.queryForObject("select status from event where id = ?", String.class, eventId);
    }

    private static ConfigurableApplicationContext start(String url, String... more) {
        List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + url, "--server.port=0",
                "--camel.springboot.main-run-controller=false"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(SwitchboardApplication.class)
                .web(WebApplicationType.SERVLET)
                .profiles("test")
                .run(args.toArray(String[]::new));
    }
}
