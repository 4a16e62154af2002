package io.switchboard.outbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties.Source;
import io.switchboard.integration.Trigger;
import org.junit.jupiter.api.Test;

/** An outbox card is checked when the server starts, and the message says what to fix. */
class OutboxCardsTest {

    private static final ConnectionsProperties CONNECTIONS = new ConnectionsProperties(Map.of(
            "shop-db", jdbc("jdbc:postgresql://127.0.0.1:5432/shop"),
            "broker", new Connection(ConnectionKind.AMQP, null, null, null, null, 0, 0, null,
                    "amqp://127.0.0.1:5672/shop", "guest", "guest", null),
            "no-url", jdbc("postgresql://127.0.0.1/shop")));

    @Test
    void aCardNamingAJdbcConnectionAndATableIsAccepted() {
        assertThatCode(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("shop-db", null, null, "outbox",
                null, null)), CONNECTIONS)).doesNotThrowAnyException();
        assertThatCode(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("shop-db", null, null, null,
                null, null)), CONNECTIONS)).as("the table defaults to outbox").doesNotThrowAnyException();
    }

    @Test
    void aCardWithoutASourceSaysWhatToAdd() {
        assertThatThrownBy(() -> OutboxTriggers.check("shop-outbox", outbox(null), CONNECTIONS))
                .hasMessageContaining("switchboard.integrations.shop-outbox.source is missing")
                .hasMessageContaining("source: {connection: <a jdbc connection>, table:");
    }

    @Test
    void aConnectionOfAnotherKindOrMissingIsNamed() {
        assertThatThrownBy(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("broker", null, null, "outbox",
                null, null)), CONNECTIONS))
                .hasMessageContaining(".source.connection names 'broker', an amqp connection; "
                        + "an outbox trigger reads a jdbc connection");
        assertThatThrownBy(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("nowhere", null, null,
                "outbox", null, null)), CONNECTIONS))
                .hasMessageContaining("names 'nowhere'");
    }

    @Test
    void aUrlThatIsNotJdbcIsRefused() {
        assertThatThrownBy(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("no-url", null, null, "outbox",
                null, null)), CONNECTIONS))
                .hasMessageContaining("switchboard.connections.no-url.url must be a JDBC URL");
    }

    @Test
    void aTableNameThatIsNotAPlainIdentifierIsRefused() {
        for (String table : new String[] {"shop.outbox", "outbox; drop table orders", "1outbox"}) {
            assertThatThrownBy(() -> OutboxTriggers.check("shop-outbox", outbox(new Source("shop-db", null, null,
                    table, null, null)), CONNECTIONS))
                    .as(table).hasMessageContaining("is not a plain table name");
        }
    }

    private static Integration outbox(Source source) {
        return new Integration(Trigger.OUTBOX, null, null, null, null, null, null, source, null);
    }

    private static Connection jdbc(String url) {
        return new Connection(ConnectionKind.JDBC, null, null, null, null, 0, 0, null, url, "switchboard", "", null);
    }
}
