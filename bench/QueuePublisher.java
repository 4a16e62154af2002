import java.io.FileWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * bench/source-outage.sh's shop: publishes an order every few milliseconds to a RabbitMQ
 * queue, persistent and confirmed, until it is stopped, and writes each order id the broker
 * confirmed to a file (one a line): what counts as published.
 *
 *   java -cp amqp-client.jar:slf4j-api.jar bench/QueuePublisher.java AMQP_URI QUEUE EVERY_MS OUT_FILE
 *   java -cp amqp-client.jar:slf4j-api.jar bench/QueuePublisher.java AMQP_URI QUEUE declare
 *   java -cp amqp-client.jar:slf4j-api.jar bench/QueuePublisher.java AMQP_URI QUEUE count N
 *
 * The queue is a quorum queue (durable, replicated on a cluster), as operations.md advises.
 */
public class QueuePublisher {

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String queue = args[1];
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        if ("count".equals(args[2])) {
            publishAtOnce(factory, queue, Integer.parseInt(args[3]));
            return;
        }
        if ("declare".equals(args[2])) {
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            }
            return;
        }
        long everyMillis = Long.parseLong(args[2]);
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel();
                PrintWriter out = new PrintWriter(new FileWriter(args[3], StandardCharsets.UTF_8, true), true)) {
            channel.confirmSelect();
            String run = Long.toHexString(System.nanoTime());
            for (long n = 0; ; n++) {
                String id = "order-" + run + "-" + n;
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
                        .contentType("application/json").deliveryMode(2).build();
                try {
                    channel.basicPublish("", queue, properties,
                            ("{\"orderId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
                    channel.waitForConfirmsOrDie(5_000);
                    out.println(id);
                } catch (Exception notConfirmed) {
                    System.err.println("not confirmed: " + id + " (" + notConfirmed + ")");
                    return;
                }
                Thread.sleep(everyMillis);
            }
        }
    }

    /**
     * bench/run.sh's queue scenario: N leads of about 1 KB (the relay's payload) as fast as the
     * broker confirms them, persistent, each with its own message id; prints how long it took.
     */
    private static void publishAtOnce(ConnectionFactory factory, String queue, int count) throws Exception {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            String run = Long.toHexString(System.nanoTime());
            String message = "We would like a quote for two hundred seats, onboarding and support. ".repeat(9);
            long start = System.nanoTime();
            for (int n = 0; n < count; n++) {
                String id = "lead-" + run + "-" + n;
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
                        .contentType("application/json").deliveryMode(2).build();
                String body = "{\"submissionId\":\"" + id + "\",\"email\":\"lead+" + run + "." + n
                        + "@bench.switchboard.dev\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                        + "\"company\":\"Analytical Engines Ltd\",\"message\":\"" + message + "\",\"source\":\"queue\"}";
                channel.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
                // Confirms in windows: the broker's pace, without one round trip per message.
                if (n % 500 == 499) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
            System.out.printf("published %d in %d ms (run %s)%n", count, (System.nanoTime() - start) / 1_000_000, run);
        }
    }
}
