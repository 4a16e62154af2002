package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.MessageProperties;

/** A message's headers are stored and shown like a webhook's: routing facts kept, credentials masked. */
class QueueHeadersTest {

    @Test
    void headersNamedLikeACredentialAreMaskedAndTheRoutingFactsKept() {
        MessageProperties properties = new MessageProperties();
        properties.setHeader("Authorization", "Bearer live-token-123");
        properties.setHeader("X-Api-Key", "key-456");
        properties.setHeader("order-source", "shop");
        properties.setReceivedExchange("orders");
        properties.setReceivedRoutingKey("order.created");
        properties.setMessageId("m-1");

        String headers = QueueConsumer.headers(properties);

        assertThat(headers).doesNotContain("live-token-123").doesNotContain("key-456")
                .contains("\"authorization\":\"***\"").contains("\"order-source\":\"shop\"")
                .contains("\"amqp-exchange\":\"orders\"").contains("\"amqp-routing-key\":\"order.created\"")
                .contains("\"amqp-message-id\":\"m-1\"");
    }
}
