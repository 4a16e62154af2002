package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties.Source;
import io.switchboard.integration.Trigger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** A queue card is checked at start per connection kind, and the message names the field to add. */
class QueueCardsTest {

    private static final ConnectionsProperties CONNECTIONS = new ConnectionsProperties(Map.of(
            "orders-broker", broker(ConnectionKind.AMQP, "amqp://127.0.0.1:5672/shop"),
            "sensors", broker(ConnectionKind.MQTT, "tcp://127.0.0.1:1883"),
            "events", broker(ConnectionKind.NATS, "nats://127.0.0.1:4222"),
            "shop-db", broker(ConnectionKind.JDBC, "jdbc:postgresql://127.0.0.1/shop")));

    @Test
    void eachBrokerKindAcceptsItsOwnField() {
        assertThatCode(() -> triggers(new Source("orders-broker", "orders"))).doesNotThrowAnyException();
        assertThatCode(() -> triggers(new Source("sensors", null, "shop/orders/#", null, null, null)))
                .doesNotThrowAnyException();
        assertThatCode(() -> triggers(new Source("events", null, "orders.created", null, null, null)))
                .doesNotThrowAnyException();
    }

    @Test
    void anMqttOrNatsCardWithAQueueInsteadOfATopicIsToldToUseTopic() {
        assertThatThrownBy(() -> triggers(new Source("sensors", "orders")))
                .hasMessageContaining("switchboard.integrations.intake.source")
                .hasMessageContaining("needs topic: <the topic filter, e.g. shop/orders/#>")
                .hasMessageContaining("(queue is for amqp)");
        assertThatThrownBy(() -> triggers(new Source("events", null, null, null, null, null)))
                .hasMessageContaining("needs topic: <the subject, e.g. orders.created>");
    }

    @Test
    void anAmqpCardWithATopicIsToldToUseQueue() {
        assertThatThrownBy(() -> triggers(new Source("orders-broker", null, "orders", null, null, null)))
                .hasMessageContaining("needs queue: <the queue> (topic is for mqtt and nats)");
    }

    @Test
    void aConnectionThatIsNoBrokerIsRefusedByName() {
        assertThatThrownBy(() -> triggers(new Source("shop-db", null, "orders", null, null, null)))
                .hasMessageContaining(
                        "'shop-db', a jdbc connection; a queue trigger reads an amqp, mqtt or nats connection");
    }

    private static QueueTriggers triggers(Source source) {
        Integration integration = new Integration(Trigger.QUEUE, null, null, null, null, null, null, source, null);
        return new QueueTriggers(new IntegrationsProperties(Map.of("intake", integration)), CONNECTIONS, null, null,
                null, false, Duration.ofSeconds(5), Duration.ofDays(7), "node-a", "8080",
                new StaticListableBeanFactory().getBeanProvider(MeterRegistry.class));
    }

    private static ConnectionsProperties.Connection broker(ConnectionKind kind, String url) {
        return new ConnectionsProperties.Connection(kind, null, null, null, null, 0, 0, null, url, null, null, null);
    }
}
