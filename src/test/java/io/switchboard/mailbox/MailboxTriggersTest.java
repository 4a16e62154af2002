package io.switchboard.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Card;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties.Source;
import io.switchboard.integration.Trigger;
import org.junit.jupiter.api.Test;

/** Start-up checks of mailbox cards, and the consumer options the trigger sets rather than inherits. */
class MailboxTriggersTest {

    private static final Connection SUPPORT_MAIL = mail("imaps://mail.example.com:993");

    @Test
    void aCardWithoutSourceStopsTheStartNamingWhatToAdd() {
        assertThatThrownBy(() -> triggers(card(null), Map.of()))
                .hasMessageContaining("switchboard.integrations.support-intake.source is missing")
                .hasMessageContaining("source: {connection: <a mail connection>");
    }

    @Test
    void anUndeclaredConnectionStopsTheStart() {
        assertThatThrownBy(() -> triggers(card(source("support-mail")), Map.of()))
                .hasMessageContaining("names 'support-mail', which is not declared under switchboard.connections");
    }

    @Test
    void aConnectionOfAnotherKindStopsTheStart() {
        Connection broker = new Connection(ConnectionKind.AMQP, null, null, null, null, 0, 0, null,
                "amqp://127.0.0.1:5672/shop", "guest", "guest", null);
        assertThatThrownBy(() -> triggers(card(source("support-mail")), Map.of("support-mail", broker)))
                .hasMessageContaining("an amqp connection; a mailbox trigger reads a mail connection");
    }

    @Test
    void anSmtpUrlStopsTheStartAskingForImap() {
        assertThatThrownBy(() -> triggers(card(source("support-mail")),
                Map.of("support-mail", mail("smtp://mail.example.com:587"))))
                .hasMessageContaining("switchboard.connections.support-mail.url is 'smtp://mail.example.com:587'")
                .hasMessageContaining("imaps://host:993");
    }

    @Test
    void theConsumerReadsUnseenMailsWithPeekAndNeverDeletesSkipsOrExpunges() {
        MailboxTriggers triggers = triggers(card(source("support-mail")), Map.of("support-mail", SUPPORT_MAIL));

        String uri = triggers.uri(SUPPORT_MAIL, "INBOX");

        assertThat(uri).startsWith("imaps://mail.example.com:993?")
                .contains("unseen=true", "peek=true", "delete=false", "closeFolder=false",
                        "skipFailedMessage=false", "handleFailedMessage=false", "mapMailMessage=false",
                        "folderName=INBOX", "username=support%40example.com")
                .doesNotContain("password", "support-secret");
    }

    private static MailboxTriggers triggers(Integration integration, Map<String, Connection> connections) {
        return new MailboxTriggers(new IntegrationsProperties(Map.of("support-intake", integration)),
                new ConnectionsProperties(connections), null, null, null, true, Duration.ofSeconds(30),
                Duration.ofSeconds(30), 20);
    }

    private static Connection mail(String url) {
        return new Connection(ConnectionKind.MAIL, null, null, null, null, 0, 0, null, url, "support@example.com",
                "support-secret", null);
    }

    private static Source source(String connection) {
        return new Source(connection, null, null, null, "INBOX", null);
    }

    private static Integration card(Source source) {
        return new Integration(Trigger.MAILBOX, new Card("support mail", null, null, null, null, null, null, "tests",
                null), null, null, null, null, null, source, null);
    }
}
