package io.switchboard.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UnsupportedEncodingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.switchboard.source.SourceRoutes;
import io.switchboard.support.IntegrationTestSupport;
import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The mailbox example of {@code src/docs/writing-integrations.md} against a real IMAP server
 * (GreenMail, mails sent to it over SMTP): each mail becomes one event and is flagged seen only
 * after that, a Message-ID read again is a duplicate, attachments are listed, and a mail the inbox
 * cannot store (a check constraint refuses its row, as a database away would) stays unseen until it
 * can, with one alert and the source paused and resumed in between.
 */
@TestPropertySource(properties = {"switchboard.mailbox.enabled=true", "switchboard.mailbox.delay=200ms",
        "switchboard.mailbox.back-off=1s"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class MailboxIntakeExampleTest extends IntegrationTestSupport {

    private static final String SUPPORT = "support@example.com";
    private static GreenMail mailServer;
    private static GreenMailUser support;

    @Autowired
    private CamelContext camel;

    @DynamicPropertySource
    static void mailServer(DynamicPropertyRegistry registry) {
        mailServer = new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        mailServer.start();
        support = mailServer.setUser(SUPPORT, SUPPORT, "support-test-password");
        registry.add("switchboard.connections.support-mail.url",
                () -> "imap://127.0.0.1:" + mailServer.getImap().getPort());
        registry.add("switchboard.connections.support-mail.password", () -> "support-test-password");
    }

    @AfterAll
    static void stopMailServer() {
        if (mailServer != null) {
            mailServer.stop();
        }
    }

    @Test
    void aMailboxThatCannotBeReachedLeavesTheServerReady() throws Exception {
        // support-inbox reads the demo's mailbox, where nothing listens in this context: its
        // polls fail, and the server must still take webhooks (a source away is an alert, not
        // a reason for the load balancer to drop the node).
        await().atMost(Duration.ofSeconds(20)).until(() -> camel.getRoute("source-support-inbox") != null);
        HttpResponse<String> readiness = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.body()).contains("UP");
    }

    @Test
    void aMailBecomesOneEventAndIsFlaggedSeenOnlyAfterwards() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@shop.example>";
        send(mail(messageId, "Order 1042 arrived broken", "The mug was in pieces."));

        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");
        JsonNode payload = json.readTree(jdbc.queryForObject("select payload from event where id = ?", String.class,
                eventId));
        assertThat(payload.path("from").asText()).isEqualTo("Ada Customer <ada@customer.example>");
        assertThat(payload.path("to").get(0).asText()).isEqualTo(SUPPORT);
        assertThat(payload.path("cc").get(0).asText()).isEqualTo("orders@example.com");
        assertThat(payload.path("subject").asText()).isEqualTo("Order 1042 arrived broken");
        assertThat(payload.path("messageId").asText()).isEqualTo(messageId);
        assertThat(payload.path("text").asText()).isEqualTo("The mug was in pieces.");
        assertThat(payload.path("date").asText()).isNotBlank();
        assertThat(payload.path("attachments")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
    }

    @Test
    void theSameMessageIdReadAgainIsADuplicate() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@shop.example>";
        send(mail(messageId, "Where is my order?", "Order 1043, please."));
        String eventId = awaitEvent(messageId);
        send(mail(messageId, "Where is my order?", "Order 1043, please."));

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events(messageId)).hasSize(1);
        awaitStatus(eventId, "DONE");
        await().atMost(Duration.ofSeconds(10)).until(() -> storedMessages(messageId).size() == 2
                && storedMessages(messageId).stream().allMatch(m -> m.isSet(Flags.Flag.SEEN)));
    }

    @Test
    void aMailWithAnAttachmentListsItsNameTypeAndSizeButNotItsContent() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@shop.example>";
        MimeMessage mail = mail(messageId, "Invoice dispute", "See the attached invoice.");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("See the attached invoice.", "UTF-8");
        MimeBodyPart pdf = new MimeBodyPart();
        byte[] document = new byte[3000];
        pdf.setDataHandler(new DataHandler(new ByteArrayDataSource(document, "application/pdf")));
        pdf.setFileName("invoice-1044.pdf");
        MimeMultipart parts = new MimeMultipart(text, pdf);
        mail.setContent(parts);
        send(mail);

        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");
        JsonNode payload = json.readTree(jdbc.queryForObject("select payload from event where id = ?", String.class,
                eventId));
        assertThat(payload.path("text").asText()).isEqualTo("See the attached invoice.");
        assertThat(payload.path("attachments")).hasSize(1);
        JsonNode attachment = payload.path("attachments").get(0);
        assertThat(attachment.path("name").asText()).isEqualTo("invoice-1044.pdf");
        assertThat(attachment.path("contentType").asText()).isEqualTo("application/pdf");
        assertThat(attachment.path("size").asLong()).isEqualTo(3000);
        assertThat(payload.toString()).doesNotContain("AAAAAAAA");
    }

    @Test
    void aMailWithoutMessageIdIsKeptApartByItsImapUid() throws Exception {
        String subject = "No id " + UUID.randomUUID();
        send(mail(null, subject, "first"));
        send(mail(null, subject, "second"));

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForList("select delivery_id from event where "
                + "integration = 'mailbox-intake' and payload like ?", String.class, "%" + subject + "%").size() == 2);
        List<String> ids = jdbc.queryForList("select delivery_id from event where integration = 'mailbox-intake' "
                + "and payload like ?", String.class, "%" + subject + "%");
        assertThat(ids).allMatch(id -> id.startsWith("imap-uid:INBOX:")).doesNotHaveDuplicates();
    }

    @Test
    void aMailTheInboxCannotStoreStaysUnseenAndIsStoredAfterRecoveryWithOneAlert() throws Exception {
        String marker = UUID.randomUUID().toString();
        String messageId = "<" + marker + "@shop.example>";
        // The store fails for this mail alone, as it would with the database away.
        jdbc.execute("alter table event add constraint mailbox_outage_" + marker.substring(0, 8)
                + " check (delivery_id not like '%" + marker + "%')");

        long failedBefore = failedExchanges();
        send(mail(messageId, "Refund please", "Order 1045."));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(this::sourcePaused);
        // Resumed by itself after the back-off and tried again (the consumer reads nothing while paused).
        await().atMost(Duration.ofSeconds(10)).until(() -> failedExchanges() >= failedBefore + 2);
        assertThat(events(messageId)).isEmpty();
        assertThat(seen(messageId)).as("a mail not stored stays unseen").isFalse();
        Map<String, Object> alert = alert();
        assertThat(alert.get("occurrences")).isEqualTo(1L);
        assertThat(alert.get("resolved_at")).isNull();

        jdbc.execute("alter table event drop constraint mailbox_outage_" + marker.substring(0, 8));
        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
        assertThat(events(messageId)).hasSize(1);
        assertThat(sourcePaused()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> alert().get("resolved_at") != null);
        assertThat(alert().get("occurrences")).as("one alert for the whole outage").isEqualTo(1L);
    }

    @Test
    void theDocsShowThisRoute() throws Exception {
        assertDocsShowRouteFile("mailbox-intake.camel.yaml");
    }

    private long failedExchanges() throws Exception {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(SourceRoutes.routeId("mailbox-intake")).getExchangesFailed();
    }

    private boolean sourcePaused() {
        return ServiceHelper.isSuspended(camel.getRoute(SourceRoutes.routeId("mailbox-intake")).getConsumer());
    }

    private Map<String, Object> alert() {
        return jdbc.queryForMap("select occurrences, resolved_at from alert where alert_key = ?",
                "source-not-stored:mailbox-intake");
    }

    private static MimeMessage mail(String messageId, String subject, String text) throws MessagingException {
        Session session = GreenMailUtil.getSession(mailServer.getSmtp().getServerSetup());
        MimeMessage mail = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                // The test decides the Message-ID (or its absence), not JavaMail.
                if (messageId == null) {
                    removeHeader("Message-ID");
                } else {
                    setHeader("Message-ID", messageId);
                }
            }
        };
        try {
            mail.setFrom(new InternetAddress("ada@customer.example", "Ada Customer"));
        } catch (UnsupportedEncodingException impossible) {
            throw new IllegalStateException(impossible);
        }
        mail.setRecipients(Message.RecipientType.TO, SUPPORT);
        mail.setRecipients(Message.RecipientType.CC, "orders@example.com");
        mail.setSubject(subject);
        mail.setText(text, "UTF-8");
        return mail;
    }

    private static void send(MimeMessage mail) throws MessagingException {
        GreenMailUtil.sendMimeMessage(mail);
    }

    private boolean seen(String messageId) throws Exception {
        List<StoredMessage> stored = storedMessages(messageId);
        return !stored.isEmpty() && stored.get(0).isSet(Flags.Flag.SEEN);
    }

    private static List<StoredMessage> storedMessages(String messageId) throws Exception {
        return mailServer.getManagers().getImapHostManager().getInbox(support).getMessages().stream()
                .filter(m -> {
                    try {
                        return messageId.equals(m.getMimeMessage().getMessageID());
                    } catch (MessagingException unreadable) {
                        return false;
                    }
                }).toList();
    }

    private String awaitEvent(String deliveryId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(deliveryId).size() == 1);
        return events(deliveryId).get(0);
    }

    private List<String> events(String deliveryId) {
        return jdbc.queryForList("select id from event where integration = 'mailbox-intake' and delivery_id = ?",
                String.class, deliveryId);
    }
}
