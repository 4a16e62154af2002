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
 *
 * The queue is a quorum queue (durable, replicated on a cluster), as operations.md advises.
 */
public class QueuePublisher {

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String queue = args[1];
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
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
}
