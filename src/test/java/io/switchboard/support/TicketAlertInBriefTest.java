package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The whole test of a webhook integration as writing-integrations.md shows it (section 5). */
class TicketAlertInBriefTest extends IntegrationTestSupport {

    @Test
    void aTicketIsMailedOnceAndRetriedThroughAChatOutage() throws Exception {
        fault("{\"system\":\"chat\",\"status\":503,\"count\":2}");
        String ticket = "T-" + UUID.randomUUID();
        String eventId = deliverAccepted("ticket-alert",
                Map.of("ticketId", ticket, "email", "ada@example.com", "subject", "Down"));

        awaitStatus(eventId, "DONE");
        assertThat(admin().json("GET", "/sandbox/mail/messages?to=oncall@switchboard.example", null)
                .findValuesAsText("subject")).filteredOn(s -> s.contains(ticket)).hasSize(1);
        assertThat(steps(eventId)).contains("attempt-failed", "oncall-email", "team-chat", "done");
        assertThat(deliver("ticket-alert", Map.of("ticketId", ticket)).status()).isEqualTo(400);
    }

    @Test
    void theDocsShowThisTestWordForWord() throws Exception {
        String test = Files.readString(
                Path.of("src/test/java/io/switchboard/support/TicketAlertInBriefTest.java"));
        String shown = test.substring(test.indexOf("    @Test"), test.indexOf("    @Test", test.indexOf("    @Test") + 1));
        assertThat(Files.readString(Path.of("src/docs/writing-integrations.md")))
                .contains(shown.strip());
    }
}
