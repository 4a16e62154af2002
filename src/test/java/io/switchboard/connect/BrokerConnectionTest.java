package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import org.junit.jupiter.api.Test;

/** Broker connections ({@code kind: amqp}) beside the HTTP ones, which keep their defaults. */
class BrokerConnectionTest {

    @Test
    void aConnectionIsHttpUnlessItSaysOtherwise() {
        assertThat(new ConnectionsProperties.Connection("http://crm", null, null, null, 0, 0, null).kind())
                .isEqualTo(ConnectionKind.HTTP);
    }

    @Test
    void aBrokerPasswordIsASecretLikeAnAuthSecret() {
        assertThat(ConfigSecrets.isConnectionSecret("switchboard.connections.orders-broker.password")).isTrue();
        assertThat(ConfigSecrets.isConnectionSecret("switchboard.connections.crm.auth.password")).isTrue();
        assertThat(ConfigSecrets.isConnectionSecret("switchboard.connections.orders-broker.username")).isFalse();
        assertThat(ConfigSecrets.isConnectionSecret("switchboard.connections.orders-broker.url")).isFalse();
    }

    @Test
    void aBrokerConnectionNeverPrintsItsPassword() {
        var broker = new ConnectionsProperties.Connection(ConnectionKind.AMQP, null, null, null, null, 0, 0, null,
                "amqp://localhost:5672/shop", "switchboard", "s3cret-broker-password", null);
        assertThat(broker.toString()).contains("amqp").doesNotContain("s3cret-broker-password");
    }
}
