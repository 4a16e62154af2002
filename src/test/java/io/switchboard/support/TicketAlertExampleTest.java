package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The worked example of {@code src/docs/writing-integrations.md}: a webhook integration that
 * calls two sandbox systems once each, written without Java, with the six cases that matter
 * for it. The route file is the one the docs show, word for word.
 */
class TicketAlertExampleTest extends IntegrationTestSupport {

    @Test
    void urgentTicketMailsTheOnCallEngineerAndTellsTheChatOnce() throws Exception {
        String ticket = "T-" + UUID.randomUUID().toString().substring(0, 8);
        String eventId = deliverAccepted("ticket-alert", Map.of("ticketId", ticket,
                "email", "ada@analytical-engines.co.uk", "subject", "Checkout \"is\" down", "description", "since 09:00"));
        awaitStatus(eventId, "DONE");
        assertThat(mailsAbout(ticket)).singleElement().satisfies(mail -> {
            assertThat(mail.get("to").asText()).isEqualTo("oncall@switchboard.example");
            assertThat(mail.get("subject").asText()).isEqualTo("Urgent ticket " + ticket + ": Checkout \"is\" down");
            assertThat(mail.get("text").asText()).contains("ada@analytical-engines.co.uk").contains("since 09:00");
        });
        assertThat(chatsAbout(ticket)).hasSize(1);
        assertThat(steps(eventId)).contains("oncall-email", "team-chat", "done");
    }

    @Test
    void aRepeatedDeliveryAndTheSameTicketUnderANewDeliveryIdDoNothingTwice() throws Exception {
        String ticket = "T-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> payload = Map.of("ticketId", ticket, "email", "grace@navy.example.org", "subject", "Slow");
        String deliveryId = "msg_" + UUID.randomUUID();
        Deliveries.Delivery first = deliver("ticket-alert", deliveryId, payload);
        Deliveries.Delivery again = deliver("ticket-alert", deliveryId, payload);
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.eventId()).isEqualTo(first.eventId());
        awaitStatus(first.eventId(), "DONE");
        String resent = deliverAccepted("ticket-alert", payload);
        awaitStatus(resent, "DONE");
        assertThat(mailsAbout(ticket)).hasSize(1);
        assertThat(chatsAbout(ticket)).hasSize(1);
    }

    @Test
    void aTicketWithoutItsRequiredFieldsIsRefusedAtTheDoor() throws Exception {
        Deliveries.Delivery response = deliver("ticket-alert", "{\"ticketId\":\"T-x\",\"subject\":\"no e-mail\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("email");
    }

    @Test
    void aChatOutageIsRetriedWithoutMailingTwice() throws Exception {
        String ticket = "T-" + UUID.randomUUID().toString().substring(0, 8);
        fault("{\"system\":\"chat\",\"status\":503,\"count\":2}"); // cleared when the test ends
        String eventId = deliverAccepted("ticket-alert", Map.of("ticketId", ticket,
                "email", "lin@example.org", "subject", "Outage"));
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId))
                .isGreaterThan(1);
        assertThat(mailsAbout(ticket)).hasSize(1);
        assertThat(chatsAbout(ticket)).hasSize(1);
    }

    @Test
    void theRouteFileIsTheOneTheDocsShow() throws Exception {
        assertDocsShowRouteFile("ticket-alert.camel.yaml");
    }

    private List<JsonNode> mailsAbout(String ticket) throws Exception {
        List<JsonNode> mails = new ArrayList<>();
        asAdmin("GET", "/sandbox/mail/messages?to=oncall@switchboard.example", null).forEach(mail -> {
            if (mail.get("subject").asText().contains(ticket)) {
                mails.add(mail);
            }
        });
        return mails;
    }

    private List<JsonNode> chatsAbout(String ticket) throws Exception {
        List<JsonNode> chats = new ArrayList<>();
        asAdmin("GET", "/sandbox/chat/messages", null).forEach(chat -> {
            if (chat.toString().contains(ticket)) {
                chats.add(chat);
            }
        });
        return chats;
    }
}
