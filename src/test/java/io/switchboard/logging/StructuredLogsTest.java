package io.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * JSON logs for a log pipeline: with {@code logging.structured.format.console=ecs} the
 * console encoder writes Spring Boot's ECS JSON, and the per-exchange line carries the event
 * id, integration, route, outcome, duration, attempt and node as fields, and no payload value.
 */
@SwitchboardTest
class StructuredLogsTest {

    @Autowired
    InboxStore inbox;

    @Autowired
    InboxSignal signal;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theExchangeLineIsOneJsonDocumentWithTheEventsFieldsAndNoPayloadValue() throws Exception {
        Logger exchangeLog = (Logger) LoggerFactory.getLogger("switchboard.exchange");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(exchangeLog.getLoggerContext());
        captured.start();
        exchangeLog.addAppender(captured);
        String secret = "secret-" + UUID.randomUUID();
        String eventId;
        try {
            eventId = inbox.enqueue("deal-won", "log-" + UUID.randomUUID(), "{\"dealId\":\"L-" + UUID.randomUUID()
                    + "\",\"contactId\":\"c_x\",\"ownerId\":\"u_ada\",\"title\":\"logs\",\"amountCents\":1,"
                    + "\"currency\":\"EUR\",\"apiKey\":\"" + secret + "\"}");
            signal.wake("deal-won");
            String id = eventId;
            await().atMost(Duration.ofSeconds(20)).until(() -> captured.list.stream()
                    .anyMatch(e -> id.equals(e.getMDCPropertyMap().get("eventId"))));
        } finally {
            exchangeLog.detachAppender(captured);
        }
        ILoggingEvent line = captured.list.stream().filter(e -> eventId.equals(e.getMDCPropertyMap().get("eventId")))
                .findFirst().orElseThrow();

        ConsoleEncoder encoder = new ConsoleEncoder();
        encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        encoder.setStructuredFormat("ecs");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        String written = new String(encoder.encode(line), StandardCharsets.UTF_8);

        assertThat(written.strip()).doesNotContain("\n").doesNotContain(secret);
        JsonNode document = json.readTree(written);
        assertThat(document.findValue("eventId").asText()).isEqualTo(eventId);
        assertThat(document.findValue("integration").asText()).isEqualTo("deal-won");
        assertThat(document.findValue("route").asText()).isEqualTo("deal-won");
        assertThat(document.findValue("outcome").asText()).isIn("ok", "failed");
        assertThat(document.findValue("durationMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(document.findValue("attempt").asInt()).isEqualTo(1);
        assertThat(document.findValue("node").asText()).isNotBlank();
        assertThat(document.findValue("message").asText()).startsWith("exchange finished route=deal-won");
    }

    @Test
    void withoutAFormatTheConsoleKeepsItsTextLines() {
        ConsoleEncoder encoder = new ConsoleEncoder();
        encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        encoder.setPattern("%level %logger: %m%n");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        Logger logger = (Logger) LoggerFactory.getLogger("switchboard.test");
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                Logger.class.getName(), logger, ch.qos.logback.classic.Level.INFO, "value {}", null,
                new Object[] {"a\nforged line"});
        assertThat(encoder.structured()).isFalse();
        assertThat(new String(encoder.encode(event), StandardCharsets.UTF_8))
                .isEqualTo("INFO switchboard.test: value a\\nforged line\n");
    }
}
