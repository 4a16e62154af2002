package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpAuthenticationException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The sandbox broker speaks AMQP 0-9-1 to the clients the platform uses (Spring AMQP on the
 * RabbitMQ client): it takes its one user's password only, keeps the declared queue, and hands a
 * published message over with its message id.
 */
class SandboxBrokerTest {

    private static final String PASSWORD = StandInSecrets.generate();
    private static SandboxBroker broker;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        broker = SandboxBroker.start(new StandInProperties.Broker(true, port, "shop", "switchboard", PASSWORD,
                List.of("orders")), new ObjectMapper());
        broker.whenStarted().get(2, TimeUnit.MINUTES);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aMessagePublishedToTheQueueReachesASpringAmqpConsumerWithItsId() throws Exception {
        broker.publish("orders", "order-1", "application/json", "{\"orderId\":\"order-1\"}");
        assertThat(broker.ready("orders")).isEqualTo(1);

        CachingConnectionFactory connection = connection(PASSWORD);
        try {
            Message message = new RabbitTemplate(connection).receive("orders", 5_000);
            assertThat(message).isNotNull();
            assertThat(message.getMessageProperties().getMessageId()).isEqualTo("order-1");
            assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"order-1\"}");
        } finally {
            connection.destroy();
        }
        assertThat(broker.ready("orders")).isZero();
    }

    @Test
    void aWrongPasswordIsRefused() {
        CachingConnectionFactory connection = connection("not-the-password");
        try {
            assertThatThrownBy(() -> new RabbitTemplate(connection).receive("orders"))
                    .isInstanceOf(AmqpAuthenticationException.class);
        } finally {
            connection.destroy();
        }
    }

    @Test
    void aBrokerWhosePortIsTakenSaysItDidNotStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SandboxBroker blocked = SandboxBroker.start(new StandInProperties.Broker(true, taken.getLocalPort(), "shop",
                    "switchboard", PASSWORD, List.of("orders")), new ObjectMapper());
            try {
                assertThatThrownBy(() -> blocked.whenStarted().get(2, TimeUnit.MINUTES))
                        .isInstanceOf(ExecutionException.class);
                assertThatThrownBy(() -> blocked.publish("orders", "x", "application/json", "{}"))
                        .isInstanceOf(IOException.class).hasMessageContaining("did not start")
                        .hasMessageNotContaining(PASSWORD);
            } finally {
                blocked.close();
            }
        }
    }

    private static CachingConnectionFactory connection(String password) {
        CachingConnectionFactory factory = new CachingConnectionFactory(URI.create(broker.url()));
        factory.setUsername("switchboard");
        factory.setPassword(password);
        return factory;
    }
}
