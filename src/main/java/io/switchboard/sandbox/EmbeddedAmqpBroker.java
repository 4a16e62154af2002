package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.Queue;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHost;
import org.apache.qpid.server.model.VirtualHostNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * An AMQP 0-9-1 broker in this process (Apache Qpid Broker-J, as RabbitMQ speaks it), on
 * 127.0.0.1 only, everything in memory: one virtual host, one user. The sandbox's broker
 * ({@link SandboxBroker}) and a drill's throwaway broker (a test double in
 * {@code io.switchboard.drill}) are both one of these. Port 0 takes a free port ({@link #port()}
 * says which). With {@code queuesOnPublish}, a message published to a queue that does not exist
 * creates it (Broker-J's node auto-creation), so a double keeps whatever a route publishes to
 * the default exchange under the routing key's name.
 */
public final class EmbeddedAmqpBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedAmqpBroker.class);
    private static final String PASSWORD_VARIABLE = "switchboard.embedded.broker.password";

    private final SystemLauncher launcher;
    private final Path workDir;
    private final Broker<?> broker;
    private final String virtualHost;

    private EmbeddedAmqpBroker(SystemLauncher launcher, Path workDir, Broker<?> broker, String virtualHost) {
        this.launcher = launcher;
        this.workDir = workDir;
        this.broker = broker;
        this.virtualHost = virtualHost;
    }

    /**
     * Starts a broker and returns once it listens (from the executable jar this takes seconds).
     *
     * @param name            the broker's name, in its logs and work folder
     * @param port            the port on 127.0.0.1; 0 for a free one
     * @param queuesOnPublish whether publishing to an unknown queue creates it
     */
    public static EmbeddedAmqpBroker start(String name, int port, String virtualHost, String username,
            String password, boolean queuesOnPublish, ObjectMapper json) throws Exception {
        // Broker-J keeps a little state on disk even with memory stores (its work folder).
        Path workDir = Files.createTempDirectory(name);
        AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
        SystemLauncher launcher = new SystemLauncher(new ContainerListener(system));
        try {
            launcher.startup(systemConfig(name, port, virtualHost, username, password, queuesOnPublish, json,
                    workDir));
            Broker<?> broker = (Broker<?>) system.get().getContainer(Broker.class);
            return new EmbeddedAmqpBroker(launcher, workDir, broker, virtualHost);
        } catch (Exception | LinkageError failed) {
            shutdown(launcher, workDir);
            throw failed;
        }
    }

    private static Map<String, Object> systemConfig(String name, int port, String virtualHost, String username,
            String password, boolean queuesOnPublish, ObjectMapper json, Path workDir) throws IOException {
        // The password stays a context variable, resolved in memory: the file below never holds it.
        Map<String, Object> user = Map.of("name", username, "type", "managed",
                "password", "${" + PASSWORD_VARIABLE + "}");
        // PLAIN without TLS is fine on the loopback interface only, which is all this port binds.
        Map<String, Object> authentication = Map.of("name", "plain", "type", "Plain",
                "secureOnlyMechanisms", List.of(), "users", List.of(user));
        Map<String, Object> amqp = new LinkedHashMap<>();
        amqp.put("name", "AMQP");
        amqp.put("port", port);
        amqp.put("bindingAddress", "127.0.0.1");
        amqp.put("protocols", List.of("AMQP_0_9_1"));
        amqp.put("authenticationProvider", "plain");
        amqp.put("virtualhostaliases", List.of(Map.of("name", "nameAlias", "type", "nameAlias"),
                Map.of("name", "defaultAlias", "type", "defaultAlias")));
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("type", "Memory");
        if (queuesOnPublish) {
            host.put("nodeAutoCreationPolicies", List.of(Map.of("pattern", ".*", "nodeType", "Queue",
                    "createdOnPublish", true, "createdOnConsume", false, "attributes", Map.of("durable", true))));
        }
        Map<String, Object> node = Map.of("name", virtualHost, "type", "Memory",
                "defaultVirtualHostNode", "true", "virtualHostInitialConfiguration", json.writeValueAsString(host));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("modelVersion", "9.0");
        config.put("authenticationproviders", List.of(authentication));
        config.put("ports", List.of(amqp));
        config.put("virtualhostnodes", List.of(node));

        // A file, not a data: URL: Broker-J's URL handlers are not found inside the executable jar.
        Path initialConfig = workDir.resolve("initial-config.json");
        Files.write(initialConfig, json.writeValueAsBytes(config));
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("type", "Memory");
        system.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, initialConfig.toUri().toString());
        system.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
        system.put("context", Map.of(SystemConfig.QPID_WORK_DIR, workDir.toString(), PASSWORD_VARIABLE, password));
        return system;
    }

    /** The port it listens on (the one asked for, or the free one it took). */
    public int port() {
        for (Port<?> port : broker.getPorts()) {
            if ("AMQP".equals(port.getName())) {
                return port.getBoundPort();
            }
        }
        throw new IllegalStateException("the embedded broker has no AMQP port");
    }

    /** The names of the queues of its virtual host now. */
    public List<String> queues() {
        List<String> names = new ArrayList<>();
        for (VirtualHostNode<?> node : broker.getVirtualHostNodes()) {
            VirtualHost<?> host = node.getVirtualHost();
            if (host != null && virtualHost.equals(node.getName())) {
                host.getChildren(Queue.class).forEach(queue -> names.add(queue.getName()));
            }
        }
        return names;
    }

    @Override
    public void close() {
        shutdown(launcher, workDir);
    }

    private static void shutdown(SystemLauncher launcher, Path workDir) {
        try {
            // Broker-J closes itself from a JVM shutdown hook of its own; closing it again only logs an error.
            if (!jvmShuttingDown()) {
                launcher.shutdown();
            }
        } catch (RuntimeException notStarted) {
            log.debug("Embedded broker shutdown: {}", notStarted.toString());
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

    /** Keeps the system's configuration when Broker-J resolves it: the way to its broker's model. */
    private record ContainerListener(AtomicReference<SystemConfig<?>> system) implements SystemLauncherListener {

        @Override
        public void onContainerResolve(SystemConfig<?> config) {
            system.set(config);
        }

        @Override
        public void beforeStartup() {
        }

        @Override
        public void errorOnStartup(RuntimeException e) {
        }

        @Override
        public void afterStartup() {
        }

        @Override
        public void onContainerClose(SystemConfig<?> config) {
        }

        @Override
        public void onShutdown(int exitCode) {
        }

        @Override
        public void exceptionOnShutdown(Exception e) {
        }
    }
}
