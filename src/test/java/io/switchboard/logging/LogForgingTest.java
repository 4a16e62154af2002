package io.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.Webhooks;
import io.switchboard.support.EventStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** A payload value with a line break cannot add a line of its own to the server's log. */
@SwitchboardTest
@ExtendWith(OutputCaptureExtension.class)
class LogForgingTest {

    private static final String SECRET = "whsec_dGVzdC1sZWFkLWludGFrZS1zZWNyZXQ=";
    private static final String FORGED = "2026-12-01T09:00:00.000Z  INFO 1 --- [main] o.s.Forged : admin logged in";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aForgedLeadLeavesOneLogLinePerEntry(CapturedOutput output) throws Exception {
        String submissionId = "forged-" + System.nanoTime() + "\n" + FORGED;
        String body = "{\"submissionId\":\"" + submissionId.replace("\n", "\\n")
                + "\",\"email\":\"someone@example.com\",\"firstName\":\"x\\r\\n" + FORGED + "\"}";
        HttpResponse<String> response = new Webhooks(port).postSigned("lead-intake", SECRET, body);
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = response.body().replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1");
        EventStatus.await(jdbc, eventId, "DEAD", Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains(eventId));
        // A library's log line, and an exception's message in a stack trace, are kept on one line too.
        LoggerFactory.getLogger("forging.probe").warn("value {}", "v\n" + FORGED,
                new IllegalStateException("message\n" + FORGED));

        assertThat(output.getOut()).contains("\\n" + FORGED);
        assertThat(output.getOut().lines()).noneMatch(line -> line.startsWith(FORGED));
    }

    @Test
    void aBlockTheServerFramesOnPurposeKeepsItsLinesButNotTheValuesInIt(CapturedOutput output) {
        LoggerFactory.getLogger("forging.probe").warn("\n=====\n user: {}\n=====", "admin\n" + FORGED);
        assertThat(output.getOut()).contains("\n user: admin\\n" + FORGED + "\n=====");
        assertThat(output.getOut().lines()).noneMatch(line -> line.startsWith(FORGED));
    }
}
