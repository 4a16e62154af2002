package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The sandbox's message broker: an {@link EmbeddedAmqpBroker} (Apache Qpid Broker-J in this
 * process, speaking AMQP 0-9-1 as RabbitMQ does, on 127.0.0.1 only, with everything in memory:
 * a restart starts empty). One virtual host, one user with the broker connection's password, and
 * the demo's durable queues, declared through an ordinary AMQP client so a start proves the
 * protocol works end to end.
 * It starts on a thread of its own while the server builds the rest (from the executable jar it
 * takes seconds); as a lifecycle it waits for that start before the platform's queue consumers
 * start, and stops after they stopped.
 */
final class SandboxBroker implements SmartLifecycle, AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final StandInProperties.Broker settings;
    private volatile EmbeddedAmqpBroker embedded;
    private final CompletableFuture<Void> started;
    private volatile boolean running;

    private SandboxBroker(StandInProperties.Broker settings, ObjectMapper json) {
        this.settings = settings;
        this.started = new CompletableFuture<>();
        Thread starting = new Thread(() -> {
            try {
                launch(json);
                declareQueues();
                started.complete(null);
            } catch (Exception | LinkageError e) {
                started.completeExceptionally(e);
            }
        }, "sandbox-broker-start");
        starting.setDaemon(true);
        starting.start();
    }

    /** Starts the broker on its own thread; {@link #whenStarted()} says when it listens and has its queues. */
    static SandboxBroker start(StandInProperties.Broker settings, ObjectMapper json) {
        return new SandboxBroker(settings, json);
    }

    CompletableFuture<Void> whenStarted() {
        return started;
    }

    /** Waits for the start, so the queue consumers (a later phase) connect at their first try. */
    @Override
    public void start() {
        try {
            awaitStarted();
        } catch (IOException notStarted) {
            // Said once where the start failed; the server runs on without the stand-in.
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before {@code queue.QueueTriggers} (Integer.MAX_VALUE - 1000) starts, after it stops. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000;
    }

    private void awaitStarted() throws IOException {
        try {
            started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while the sandbox broker started", interrupted);
        } catch (ExecutionException | TimeoutException notStarted) {
            throw new IOException("The sandbox broker did not start: " + notStarted.getMessage(), notStarted);
        }
    }

    private void launch(ObjectMapper json) throws Exception {
        embedded = EmbeddedAmqpBroker.start("switchboard-sandbox", settings.port(), settings.virtualHost(),
                settings.username(), settings.password(), false, json);
    }

    private void declareQueues() throws IOException, TimeoutException {
        try (Connection connection = client().newConnection("switchboard-sandbox");
                Channel channel = connection.createChannel()) {
            for (String queue : settings.queues()) {
                channel.queueDeclare(queue, true, false, false, null);
            }
        }
    }

    /** Publishes one persistent message to a queue (through the default exchange). */
    void publish(String queue, String messageId, String contentType, String body) throws IOException, TimeoutException {
        awaitStarted();
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(messageId)
                .contentType(contentType).deliveryMode(2).build();
        try (Connection connection = client().newConnection("switchboard-sandbox");
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", queue, true, properties, body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while the broker confirmed the message", interrupted);
        }
    }

    /** Messages ready in a queue (not delivered to a consumer). */
    long ready(String queue) throws IOException, TimeoutException {
        awaitStarted();
        try (Connection connection = client().newConnection("switchboard-sandbox");
                Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private ConnectionFactory client() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(settings.port());
        factory.setVirtualHost(settings.virtualHost());
        factory.setUsername(settings.username());
        factory.setPassword(settings.password());
        factory.setConnectionTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** The URL a connection uses: {@code amqp://127.0.0.1:<port>/<virtual host>}. */
    String url() {
        return "amqp://127.0.0.1:" + settings.port() + "/" + settings.virtualHost();
    }

    List<String> queues() {
        return settings.queues();
    }

    @Override
    public void close() {
        if (started.isDone()) {
            shutdown();
        } else {
            // Closed while it still starts (the server gave up starting): stop it once it is up.
            started.whenComplete((ok, failed) -> shutdown());
        }
    }

    private void shutdown() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
