package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.FileSystemUtils;

/**
 * The sandbox's message broker: Apache Qpid Broker-J in this process, speaking AMQP 0-9-1 as
 * RabbitMQ does, on 127.0.0.1 only, with everything in memory (a restart starts empty). One
 * virtual host, one user with the broker connection's password, and the demo's durable queues,
 * declared through an ordinary AMQP client so a start proves the protocol works end to end.
 * It starts on a thread of its own while the server builds the rest (from the executable jar it
 * takes seconds); as a lifecycle it waits for that start before the platform's queue consumers
 * start, and stops after they stopped.
 */
final class SandboxBroker implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxBroker.class);
    private static final String PASSWORD_VARIABLE = "switchboard.sandbox.broker.password";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final StandInProperties.Broker settings;
    private final SystemLauncher launcher = new SystemLauncher();
    private final Path workDir;
    private final CompletableFuture<Void> started;
    private volatile boolean running;

    private SandboxBroker(StandInProperties.Broker settings, ObjectMapper json) throws IOException {
        this.settings = settings;
        // Broker-J keeps a little state on disk even with memory stores (its work folder).
        this.workDir = Files.createTempDirectory("switchboard-sandbox-broker");
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
    static SandboxBroker start(StandInProperties.Broker settings, ObjectMapper json) throws IOException {
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
        // The password stays a context variable, resolved in memory: the file below never holds it.
        Map<String, Object> user = Map.of("name", settings.username(), "type", "managed",
                "password", "${" + PASSWORD_VARIABLE + "}");
        // PLAIN without TLS is fine on the loopback interface only, which is all this port binds.
        Map<String, Object> authentication = Map.of("name", "plain", "type", "Plain",
                "secureOnlyMechanisms", List.of(), "users", List.of(user));
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("name", "AMQP");
        port.put("port", settings.port());
        port.put("bindingAddress", "127.0.0.1");
        port.put("protocols", List.of("AMQP_0_9_1"));
        port.put("authenticationProvider", "plain");
        port.put("virtualhostaliases", List.of(Map.of("name", "nameAlias", "type", "nameAlias"),
                Map.of("name", "defaultAlias", "type", "defaultAlias")));
        Map<String, Object> node = Map.of("name", settings.virtualHost(), "type", "Memory",
                "defaultVirtualHostNode", "true", "virtualHostInitialConfiguration", "{\"type\": \"Memory\"}");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", "switchboard-sandbox");
        config.put("modelVersion", "9.0");
        config.put("authenticationproviders", List.of(authentication));
        config.put("ports", List.of(port));
        config.put("virtualhostnodes", List.of(node));

        // A file, not a data: URL: Broker-J's URL handlers are not found inside the executable jar.
        Path initialConfig = workDir.resolve("initial-config.json");
        Files.write(initialConfig, json.writeValueAsBytes(config));
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("type", "Memory");
        system.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, initialConfig.toUri().toString());
        system.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
        system.put("context", Map.of(SystemConfig.QPID_WORK_DIR, workDir.toString(),
                PASSWORD_VARIABLE, settings.password()));
        launcher.startup(system);
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
        try {
            // Broker-J closes itself from a JVM shutdown hook of its own; closing it again only logs an error.
            if (!jvmShuttingDown()) {
                launcher.shutdown();
            }
        } catch (RuntimeException notStarted) {
            log.debug("Sandbox broker shutdown: {}", notStarted.toString());
        } finally {
            FileSystemUtils.deleteRecursively(workDir.toFile());
        }
    }

    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
    }
}
