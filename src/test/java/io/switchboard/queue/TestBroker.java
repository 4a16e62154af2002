package io.switchboard.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * A vhost of its own on the RabbitMQ at 127.0.0.1:5672 (guest/guest), made with rabbitmqctl
 * and deleted on close, so tests never see each other's messages.
 */
final class TestBroker implements AutoCloseable {

    final String vhost;

    TestBroker(String vhost) {
        this.vhost = vhost;
        rabbitmqctl("add_vhost", vhost);
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    }

    String url() {
        return "amqp://127.0.0.1:5672/" + vhost;
    }

    void declareQueue(String queue) throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
    }

    /** Publishes to the default exchange, routing key = queue; {@code messageId} may be null. */
    void publish(String queue, String messageId, String body) throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(messageId)
                    .contentType("application/json").deliveryMode(2).build();
            channel.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    /** Messages ready in the queue (not counting those delivered and not yet acknowledged). */
    long ready(String queue) throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            return channel.messageCount(queue);
        }
    }

    Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url());
        factory.setUsername("guest");
        factory.setPassword("guest");
        return factory.newConnection();
    }

    @Override
    public void close() {
        rabbitmqctl("delete_vhost", vhost);
    }

    private static void rabbitmqctl(String... args) {
        try {
            Process process = new ProcessBuilder(concat(args)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", args), e);
        }
    }

    private static List<String> concat(String... args) {
        return Stream.concat(Stream.of("rabbitmqctl"), Arrays.stream(args)).toList();
    }
}
