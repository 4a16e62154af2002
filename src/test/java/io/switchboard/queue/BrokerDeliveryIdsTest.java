package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.nats.client.impl.Headers;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

/** The delivery ids of MQTT and NATS messages: the publisher's id when set, else what stays the same on redelivery. */
class BrokerDeliveryIdsTest {

    @Test
    void anMqttMessageIdUserPropertyIsTheDeliveryId() {
        assertThat(MqttDeliveryIds.of("shop/orders/1", mqtt("{}", "m-1"))).isEqualTo("m-1");
    }

    @Test
    void withoutAnIdTopicAndPayloadMakeTheMqttDigestAndEachTellsMessagesApart() {
        String id = MqttDeliveryIds.of("shop/orders/1", mqtt("{\"a\":1}", null));
        assertThat(id).startsWith("sha256:").isEqualTo(MqttDeliveryIds.of("shop/orders/1", mqtt("{\"a\":1}", null)));
        assertThat(MqttDeliveryIds.of("shop/orders/2", mqtt("{\"a\":1}", null))).isNotEqualTo(id);
        assertThat(MqttDeliveryIds.of("shop/orders/1", mqtt("{\"a\":2}", null))).isNotEqualTo(id);
        assertThat(MqttDeliveryIds.of("shop/orders/1{", mqtt("\"a\":1}", null))).isNotEqualTo(id);
    }

    @Test
    void aNatsMsgIdIsTheDeliveryIdElseTheStreamSequenceOfThisStreamInstance() {
        assertThat(NatsDeliveryIds.of(new Headers().add("Nats-Msg-Id", "n-1"), "ORDERS", 1000L, 7L)).isEqualTo("n-1");
        assertThat(NatsDeliveryIds.of(null, "ORDERS", 1000L, 7L)).isEqualTo("ORDERS@1000:7");
        assertThat(NatsDeliveryIds.of(new Headers(), "ORDERS", 2000L, 7L))
                .as("the same sequence in a stream made again is another message").isNotEqualTo("ORDERS@1000:7");
    }

    private static MqttMessage mqtt(String body, String messageId) {
        MqttProperties properties = new MqttProperties();
        if (messageId != null) {
            properties.setUserProperties(List.of(new UserProperty("message-id", messageId)));
        }
        return new MqttMessage(body.getBytes(StandardCharsets.UTF_8), 1, false, properties);
    }
}
