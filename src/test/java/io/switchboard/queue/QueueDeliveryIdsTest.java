package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class QueueDeliveryIdsTest {

    @Test
    void theMessageIdIsTheDeliveryIdWhenThePublisherSetOne() {
        assertThat(QueueDeliveryIds.of(message("m-1", "{}", "shop", "orders.paid"))).isEqualTo("m-1");
    }

    @Test
    void withoutAnIdTheSameMessageRedeliveredGetsTheSameDigest() {
        assertThat(QueueDeliveryIds.of(message(null, "{\"a\":1}", "shop", "orders.paid")))
                .startsWith("sha256:")
                .isEqualTo(QueueDeliveryIds.of(message(null, "{\"a\":1}", "shop", "orders.paid")));
    }

    @Test
    void withoutAnIdBodyExchangeAndRoutingKeyEachTellMessagesApart() {
        String id = QueueDeliveryIds.of(message(null, "{\"a\":1}", "shop", "orders.paid"));
        assertThat(QueueDeliveryIds.of(message(null, "{\"a\":2}", "shop", "orders.paid"))).isNotEqualTo(id);
        assertThat(QueueDeliveryIds.of(message(null, "{\"a\":1}", "shop2", "orders.paid"))).isNotEqualTo(id);
        assertThat(QueueDeliveryIds.of(message(null, "{\"a\":1}", "shop", "orders.sent"))).isNotEqualTo(id);
        assertThat(QueueDeliveryIds.of(message(null, "{\"a\":1}", "sho", "porders.paid"))).isNotEqualTo(id);
    }

    private static Message message(String messageId, String body, String exchange, String routingKey) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(messageId);
        properties.setReceivedExchange(exchange);
        properties.setReceivedRoutingKey(routingKey);
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }
}
