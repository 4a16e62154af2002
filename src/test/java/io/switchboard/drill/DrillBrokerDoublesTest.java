package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.connect.SystemDouble;
import io.switchboard.sandbox.EmbeddedAmqpBroker;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpAuthenticationException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The broker doubles on their own, without a server around them: the throwaway AMQP broker keeps
 * what is published to any queue and counts it by the marker, refuses the password on demand, is
 * cut off by its proxy and is gone when closed, leaving a broker beside it in the process (the
 * sandbox's) running; the MQTT and NATS doubles count what is published
 * under their prefix on the machine's Mosquitto (1883) and NATS (4222), and nothing outside it.
 */
class DrillBrokerDoublesTest {

    private static final String MARKER = "drill" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

    @Test
    void anAmqpDoubleKeepsWhatIsPublishedRefusesThePasswordIsCutOffAndIsGoneWhenClosed() throws Exception {
        int proxyPort;
        int brokerPort;
        try (ScratchBroker standIn = ScratchBroker.start("shop-broker", connection(ConnectionKind.AMQP,
                "amqp://127.0.0.1:9/shop", "switchboard"), MARKER)) {
            CachingConnectionFactory broker = (CachingConnectionFactory) standIn.clients().broker();
            proxyPort = broker.getPort();
            brokerPort = standIn.brokerPort();
            assertThat(listens(brokerPort)).isTrue();

            publish(broker, "orders.accepted", "{\"batchId\": \"" + MARKER + "n0001\"}");
            publish(broker, "orders.accepted", "{\"batchId\": \"someone else's\"}");

            Map<String, Integer> expected = Map.of("shop-broker message to orders.accepted", 1);
            assertThat(standIn.effects(MARKER + "n0001")).isEqualTo(expected);
            // Read without taking them: the messages are still there.
            assertThat(standIn.effects(MARKER + "n0001")).isEqualTo(expected);
            assertThat(standIn.describe()).contains("throwaway AMQP broker").contains("virtual host shop");

            standIn.refuseCredentials(true);
            assertThatThrownBy(() -> publish(broker, "orders.accepted", "{}"))
                    .isInstanceOf(AmqpAuthenticationException.class);
            standIn.refuseCredentials(false);
            standIn.proxy().cut();
            assertThatThrownBy(() -> publish(broker, "orders.accepted", "{}")).isInstanceOf(AmqpException.class);
            standIn.proxy().restore();
            publish(broker, "orders.accepted", "{\"batchId\": \"" + MARKER + "n0002\"}");
            assertThat(standIn.effects(MARKER + "n0002")).isEqualTo(Map.of("shop-broker message to orders.accepted",
                    1));
        }
        assertThat(listens(proxyPort)).as("the double's proxy after the drill").isFalse();
        assertThat(listens(brokerPort)).as("the double's broker after the drill").isFalse();
    }

    @Test
    void anAmqpDoubleBesideTheSandboxsBrokerInTheSameProcessLeavesItRunningWhenClosed() throws Exception {
        // The demo runs the sandbox's broker; a drill of partner-orders starts its double beside it.
        try (EmbeddedAmqpBroker sandbox = EmbeddedAmqpBroker.start("broker-doubles-sandbox", 0, "shop",
                "switchboard", "sandbox-secret", false, new ObjectMapper())) {
            CachingConnectionFactory live = new CachingConnectionFactory("127.0.0.1", sandbox.port());
            live.setVirtualHost("shop");
            live.setUsername("switchboard");
            live.setPassword("sandbox-secret");
            live.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
            try {
                new RabbitAdmin(live).declareQueue(new Queue("orders.accepted"));
                try (ScratchBroker standIn = ScratchBroker.start("shop-broker", connection(ConnectionKind.AMQP,
                        "amqp://127.0.0.1:9/shop", "switchboard"), MARKER)) {
                    publish((CachingConnectionFactory) standIn.clients().broker(), "orders.accepted",
                            "{\"batchId\": \"" + MARKER + "n0001\"}");
                    assertThat(standIn.effects(MARKER + "n0001")).hasSize(1);
                }
                publish(live, "orders.accepted", "{\"batchId\": \"real\"}");
                assertThat(new RabbitAdmin(live).getQueueInfo("orders.accepted").getMessageCount())
                        .as("the sandbox's queue holds its own message only").isEqualTo(1);
            } finally {
                live.destroy();
            }
        }
    }

    @Test
    void anMqttDoubleCountsWhatIsPublishedUnderItsPrefixOnlyAndReachesTheBrokerThroughItsProxy() throws Exception {
        try (PrefixedMqttTopics standIn = PrefixedMqttTopics.start("relay-mqtt", connection(ConnectionKind.MQTT,
                "tcp://127.0.0.1:1883", null), MARKER)) {
            SystemDouble.TopicPrefix topics = standIn.clients().topics();
            assertThat(topics.prefix()).startsWith("switchboard-drill/" + MARKER);
            assertThat(topics.url()).isEqualTo("tcp://127.0.0.1:" + standIn.proxy().port());
            MqttClient publisher = new MqttClient(topics.url(), "broker-doubles-test-" + MARKER,
                    new MemoryPersistence());
            publisher.connect();
            try {
                publisher.publish(topics.prefix() + "/alerts/urgent", new MqttMessage(("{\"alertId\": \"" + MARKER
                        + "n0001\"}").getBytes(StandardCharsets.UTF_8), 1, false, null));
                // The same outside the prefix: a real topic, which the double never counts.
                publisher.publish("alerts/urgent/" + MARKER, new MqttMessage(("{\"alertId\": \"" + MARKER
                        + "n0001\"}").getBytes(StandardCharsets.UTF_8), 1, false, null));
            } finally {
                publisher.disconnect();
                publisher.close();
            }

            assertThat(standIn.effects(MARKER + "n0001")).isEqualTo(Map.of("relay-mqtt message to alerts/urgent", 1));
            assertThat(standIn.describe()).contains("own MQTT broker").contains("nothing else");
            assertThat(standIn.proxy().accepted()).isEqualTo(1);
        }
    }

    @Test
    void aNatsDoubleCountsWhatIsPublishedUnderItsPrefixOnlyAndReachesTheServerThroughItsProxy() throws Exception {
        try (PrefixedNatsSubjects standIn = PrefixedNatsSubjects.start("relay-nats", connection(ConnectionKind.NATS,
                "nats://127.0.0.1:4222", null), MARKER)) {
            SystemDouble.TopicPrefix topics = standIn.clients().topics();
            assertThat(topics.prefix()).startsWith("switchboard-drill." + MARKER);
            Connection publisher = Nats.connect(topics.url());
            try {
                byte[] body = ("{\"alertId\": \"" + MARKER + "n0001\"}").getBytes(StandardCharsets.UTF_8);
                publisher.publish(topics.prefix() + ".alerts.urgent", body);
                publisher.publish("alerts.urgent." + MARKER, body);
                publisher.flush(Duration.ofSeconds(5));
            } finally {
                publisher.close();
            }

            assertThat(standIn.effects(MARKER + "n0001")).isEqualTo(Map.of("relay-nats message to alerts.urgent", 1));
            assertThat(standIn.proxy().accepted()).isEqualTo(1);
        }
    }

    private static void publish(CachingConnectionFactory broker, String routingKey, String body) {
        RabbitTemplate template = new RabbitTemplate(broker);
        template.invoke(operations -> {
            operations.send("", routingKey, MessageBuilder.withBody(body.getBytes(StandardCharsets.UTF_8)).build());
            operations.waitForConfirmsOrDie(5_000);
            return null;
        });
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static ConnectionsProperties.Connection connection(ConnectionKind kind, String url, String username) {
        return new ConnectionsProperties.Connection(kind, null, null, Duration.ofSeconds(2), Duration.ofSeconds(5), 20,
                2, null, url, username, null, null);
    }
}
