package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.support.IntegrationTestSupport;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * support-inbox end to end against the sandbox's mail server (GreenMail in the server, on free
 * ports), the way the demo runs it: a mail sent over SMTP to support@ becomes one event and one
 * CRM task for the support owner, and only then is flagged seen; a mail without a subject still
 * gets its task; the same Message-ID again makes no second task.
 */
@TestPropertySource(properties = {
        "switchboard.mailbox.enabled=true",
        "switchboard.mailbox.delay=200ms",
        "switchboard.mailbox.back-off=1s",
        "switchboard.sandbox.stand-ins.mail-server.enabled=true",
        "switchboard.sandbox.stand-ins.mail-server.smtp-port=0",
        "switchboard.sandbox.stand-ins.mail-server.imap-port=0"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SupportInboxTest extends IntegrationTestSupport {

    private static final String SUPPORT = "support@shop.example";

    @Autowired
    private ConnectionsProperties connections;

    @Value("${switchboard.sandbox.stand-ins.mail-server.smtp-port}")
    private int smtpPort;

    @Value("${switchboard.integrations.support-inbox.settings.support-owner}")
    private String owner;

    @Test
    void aMailToSupportBecomesOneTaskForTheSupportOwnerAndIsThenFlaggedSeen() throws Exception {
        String subject = "Where is my order " + UUID.randomUUID().toString().substring(0, 8);
        String messageId = send("Ada Lovelace <ada@analytical-engines.co.uk>", subject, "Order o-1 has not arrived.", null);

        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");

        List<JsonNode> tasks = tasksTitled("Support: " + subject + " (from Ada Lovelace <ada@analytical-engines.co.uk>)");
        assertThat(tasks).singleElement().satisfies(task -> {
            assertThat(task.get("ownerId").asText()).isEqualTo(owner);
            assertThat(task.get("notes").asText())
                    .isEqualTo("From Ada Lovelace <ada@analytical-engines.co.uk>\n\nOrder o-1 has not arrived.");
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> seen(messageId));
    }

    @Test
    void aMailWithoutASubjectStillGetsATaskTitledNoSubject() throws Exception {
        String sender = "grace." + UUID.randomUUID().toString().substring(0, 8) + "@difference-works.io";
        String messageId = send(sender, null, "Please call me back.", null);

        awaitStatus(awaitEvent(messageId), "DONE");

        assertThat(tasksTitled("Support: (no subject) (from " + sender + ")")).hasSize(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> seen(messageId));
    }

    @Test
    void theSameMessageIdInASecondMailMakesNoSecondTask() throws Exception {
        String subject = "Refund " + UUID.randomUUID().toString().substring(0, 8);
        String messageId = send("alan@bletchley.example", subject, "Twice, via a list.", null);
        String eventId = awaitEvent(messageId);
        awaitStatus(eventId, "DONE");

        send("alan@bletchley.example", subject, "Twice, via a list.", messageId);

        await().atMost(Duration.ofSeconds(20)).until(() -> steps(eventId).contains("duplicate-delivery"));
        assertThat(events(messageId)).hasSize(1);
        assertThat(tasksTitled("Support: " + subject + " (from alan@bletchley.example)")).hasSize(1);
    }

    @Test
    void theWritingGuideListsThisIntegration() throws Exception {
        String doc = Files.readString(Path.of("src/docs/writing-integrations.md"));
        assertThat(doc).contains("`support-inbox`").contains("routes/support-inbox.camel.yaml");
    }

    /** Sends a mail to support@ over the stand-in's SMTP, as a customer's mail server would; its Message-ID. */
    private String send(String from, String subject, String text, String messageId) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(smtpPort));
        MimeMessage mail = new MimeMessage(Session.getInstance(properties)) {
            @Override
            protected void updateMessageID() throws MessagingException {
                if (messageId == null) {
                    super.updateMessageID();
                } else {
                    setHeader("Message-ID", messageId);
                }
            }
        };
        mail.setFrom(InternetAddress.parse(from)[0]);
        mail.setRecipients(Message.RecipientType.TO, SUPPORT);
        if (subject != null) {
            mail.setSubject(subject, "UTF-8");
        }
        mail.setText(text, "UTF-8");
        mail.saveChanges();
        Transport.send(mail);
        return mail.getMessageID();
    }

    private String awaitEvent(String messageId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events(messageId).size() == 1);
        return events(messageId).get(0);
    }

    private List<String> events(String messageId) {
        return jdbc.queryForList("select id from event where integration = 'support-inbox' and delivery_id = ?",
                String.class, messageId);
    }

    private List<JsonNode> tasksTitled(String title) throws Exception {
        return List.copyOf(asAdmin("GET", "/sandbox/crm/tasks?ownerId=" + owner, null).findParents("id").stream()
                .filter(task -> task.get("title").asText().equals(title)).toList());
    }

    /** Whether the mailbox holds the mail flagged seen (read over IMAP as the connection, without flagging). */
    private boolean seen(String messageId) throws Exception {
        ConnectionsProperties.Connection mailbox = connections.connections().get("shop-mailbox");
        URI url = URI.create(mailbox.url());
        Properties properties = new Properties();
        properties.put("mail.imap.host", url.getHost());
        properties.put("mail.imap.port", Integer.toString(url.getPort()));
        try (Store store = Session.getInstance(properties).getStore("imap")) {
            store.connect(mailbox.username(), mailbox.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                for (Message mail : inbox.getMessages()) {
                    String[] ids = mail.getHeader("Message-ID");
                    if (ids != null && ids[0].strip().equals(messageId)) {
                        return mail.isSet(Flags.Flag.SEEN);
                    }
                }
                return false;
            } finally {
                inbox.close(false);
            }
        }
    }
}
