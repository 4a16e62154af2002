package io.switchboard.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.switchboard.alerting.Alerts;
import io.switchboard.storage.Databases;
import io.switchboard.support.IntegrationTestSupport;
import io.switchboard.support.TcpFaultProxy;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.mockito.invocation.Invocation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * The mailbox and file triggers while the platform database (PostgreSQL, behind a TCP proxy) is
 * cut off for longer than every back-off, and mails and files keep arriving: none is taken (each
 * mail stays unseen, each file in place), each source pauses and resumes by itself, one alert per
 * integration; once the database is back every mail and file is one event, DONE, and taken.
 */
@TestPropertySource(properties = {"switchboard.mailbox.enabled=true", "switchboard.mailbox.delay=200ms",
        "switchboard.mailbox.back-off=1s", "switchboard.files.enabled=true", "switchboard.files.delay=200ms",
        "switchboard.files.back-off=1s", "switchboard.files.read-lock-check-interval=100ms",
        "spring.datasource.hikari.connection-timeout=1000", "spring.datasource.hikari.validation-timeout=500"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SourceDatabaseOutageIT extends IntegrationTestSupport {

    private static final String SUPPORT = "support@example.com";
    private static final int EACH = 3;

    private static String database;
    private static TcpFaultProxy proxy;
    private static GreenMail mailServer;
    private static GreenMailUser support;
    private static Path drop;
    private static Path orders;

    @MockitoSpyBean
    private Alerts alerts;

    @Autowired
    private CamelContext camel;

    @DynamicPropertySource
    static void systems(DynamicPropertyRegistry registry) throws Exception {
        database = Databases.newPostgresDatabase("source_outage");
        proxy = new TcpFaultProxy("127.0.0.1", 5432);
        registry.add("spring.datasource.url",
                () -> "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database);
        registry.add("spring.datasource.username", () -> Databases.POSTGRES_USER);
        registry.add("spring.datasource.password", () -> "");
        mailServer = new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        mailServer.start();
        support = mailServer.setUser(SUPPORT, SUPPORT, "support-test-password");
        registry.add("switchboard.connections.support-mail.url",
                () -> "imap://127.0.0.1:" + mailServer.getImap().getPort());
        registry.add("switchboard.connections.support-mail.password", () -> "support-test-password");
        drop = Files.createTempDirectory("sb-test-outage-drop");
        orders = Files.createDirectory(drop.resolve("orders"));
        registry.add("switchboard.connections.partner-drop.path", drop::toString);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (mailServer != null) {
            mailServer.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (drop != null) {
            try (Stream<Path> all = Files.walk(drop)) {
                all.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void whileTheDatabaseIsCutOffNothingIsTakenAndAfterwardsEveryItemIsOneEvent() throws Exception {
        String run = UUID.randomUUID().toString();
        List<String> messageIds = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        proxy.cut();
        for (int i = 0; i < EACH; i++) {
            String messageId = "<" + run + "-" + i + "@shop.example>";
            messageIds.add(messageId);
            send(messageId, "Outage mail " + i + " " + run);
            files.add(dropFile("outage-" + i + "-" + run + ".json", "{\"orderId\":\"" + run + "-" + i + "\"}"));
        }

        // Each pauses for the back-off, then tries one item (waiting out the pool's timeout): watch each alone.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> paused("mailbox-intake"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> paused("file-intake"));
        // Longer than several back-offs, items still arriving: nothing taken, nothing lost.
        String late = "<" + run + "-late@shop.example>";
        messageIds.add(late);
        send(late, "Outage mail late " + run);
        files.add(dropFile("outage-late-" + run + ".json", "{\"orderId\":\"" + run + "-late\"}"));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> noneTaken(messageIds, files));
        assertThat(raised("source-not-stored:mailbox-intake")).isEqualTo(1);
        assertThat(raised("source-not-stored:file-intake")).isEqualTo(1);

        proxy.restore();

        // The pool may take a moment to connect again: a failed query there is a wait, not a failure.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> count("mailbox-intake", run) == messageIds.size()
                && count("file-intake", run) == files.size());
        for (String eventId : jdbc.queryForList("select id from event where integration in ('mailbox-intake', "
                + "'file-intake') and payload like ?", String.class, "%" + run + "%")) {
            awaitStatus(eventId, "DONE", Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> allTaken(messageIds, files));
        assertThat(paused("mailbox-intake")).isFalse();
        assertThat(paused("file-intake")).isFalse();
        assertThat(raised("source-not-stored:mailbox-intake")).as("one alert for the whole outage").isEqualTo(1);
        assertThat(raised("source-not-stored:file-intake")).as("one alert for the whole outage").isEqualTo(1);
    }

    private boolean paused(String integration) {
        return ServiceHelper.isSuspended(camel.getRoute(SourceRoutes.routeId(integration)).getConsumer());
    }

    private long raised(String key) {
        return Mockito.mockingDetails(alerts).getInvocations().stream()
                .filter(call -> call.getMethod().getName().equals("raise"))
                .map(Invocation::getArguments).filter(args -> Arrays.asList(args).contains(key)).count();
    }

    private int count(String integration, String run) {
        return jdbc.queryForObject("select count(*) from event where integration = ? and payload like ?",
                Integer.class, integration, "%" + run + "%");
    }

    private boolean noneTaken(List<String> messageIds, List<Path> files) throws Exception {
        for (String messageId : messageIds) {
            StoredMessage mail = stored(messageId);
            if (mail == null || mail.isSet(Flags.Flag.SEEN)) {
                return false;
            }
        }
        return files.stream().allMatch(Files::exists);
    }

    private boolean allTaken(List<String> messageIds, List<Path> files) throws Exception {
        for (String messageId : messageIds) {
            StoredMessage mail = stored(messageId);
            if (mail == null || !mail.isSet(Flags.Flag.SEEN)) {
                return false;
            }
        }
        return files.stream().allMatch(file -> !Files.exists(file)
                && Files.exists(file.resolveSibling(".done").resolve(file.getFileName())));
    }

    private static StoredMessage stored(String messageId) throws Exception {
        return mailServer.getManagers().getImapHostManager().getInbox(support).getMessages().stream()
                .filter(m -> {
                    try {
                        return messageId.equals(m.getMimeMessage().getMessageID());
                    } catch (MessagingException unreadable) {
                        return false;
                    }
                }).findFirst().orElse(null);
    }

    private static void send(String messageId, String subject) throws MessagingException {
        Session session = GreenMailUtil.getSession(mailServer.getSmtp().getServerSetup());
        MimeMessage mail = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        mail.setFrom("ada@customer.example");
        mail.setRecipients(Message.RecipientType.TO, SUPPORT);
        mail.setSubject(subject);
        mail.setText(subject, "UTF-8");
        GreenMailUtil.sendMimeMessage(mail);
    }

    private static Path dropFile(String name, String content) throws IOException {
        Path written = Files.writeString(drop.resolve(name), content);
        return Files.move(written, orders.resolve(name));
    }
}
