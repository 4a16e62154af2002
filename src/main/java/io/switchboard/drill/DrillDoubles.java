package io.switchboard.drill;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.SystemDoubles;

/**
 * The test doubles of one drill, one per connection its integration calls that is not HTTP: a
 * scratch database for {@code jdbc} ({@link ScratchDatabase}), a throwaway SMTP server for
 * {@code mail} ({@link ScratchMailServer}), a temporary folder for {@code file}
 * ({@link ScratchFolder}), a throwaway AMQP broker for {@code amqp} ({@link ScratchBroker}), and
 * for {@code mqtt} and {@code nats}, which have no broker to run in this process, the
 * connection's own broker under a topic prefix nothing else reads ({@link PrefixedMqttTopics},
 * {@link PrefixedNatsSubjects}). They stand in while the drill runs and are gone when it ends. A
 * connection that cannot have one (a database naming no init script, a mail connection that
 * only reads) refuses the drill.
 */
final class DrillDoubles implements AutoCloseable {

    private final Map<String, DrillDouble> doubles = new LinkedHashMap<>();
    private final SystemDoubles routing;

    private DrillDoubles(SystemDoubles routing) {
        this.routing = routing;
    }

    /** No double: the integration calls HTTP connections only (the sandbox stands in for those). */
    static DrillDoubles none() {
        return new DrillDoubles(null);
    }

    /** Why the connection has no double a drill can use, or null when it has one. */
    static String missing(String name, ConnectionsProperties.Connection settings) {
        return switch (settings.kind()) {
            case JDBC -> ScratchDatabase.missing(name, settings);
            case MAIL -> ScratchMailServer.missing(settings);
            case FILE, AMQP -> null;
            case MQTT, NATS -> settings.url() == null || settings.url().isBlank()
                    ? "it names no url, the broker a drill publishes to under a prefix of its own" : null;
            case HTTP -> "it is an HTTP connection, which the sandbox stands in for";
        };
    }

    /** Makes a double for each connection and puts it in for the connection's test events' calls. */
    static DrillDoubles start(Collection<String> names, ConnectionsProperties connections, SystemDoubles routing,
            String marker) {
        DrillDoubles started = new DrillDoubles(routing);
        try {
            for (String name : names) {
                ConnectionsProperties.Connection settings = connections.connections().get(name);
                DrillDouble standIn = switch (settings.kind()) {
                    case JDBC -> ScratchDatabase.start(name, settings, marker);
                    case MAIL -> ScratchMailServer.start(name, settings);
                    case FILE -> ScratchFolder.create(name, marker);
                    case AMQP -> ScratchBroker.start(name, settings, marker);
                    case MQTT -> PrefixedMqttTopics.start(name, settings, marker);
                    case NATS -> PrefixedNatsSubjects.start(name, settings, marker);
                    case HTTP -> throw new IllegalStateException(missing(name, settings));
                };
                started.doubles.put(name, standIn);
                routing.standIn(name, standIn.clients());
            }
            return started;
        } catch (RuntimeException broken) {
            started.close();
            throw broken;
        }
    }

    boolean isEmpty() {
        return doubles.isEmpty();
    }

    boolean has(String connection) {
        return doubles.containsKey(connection);
    }

    DrillDouble of(String connection) {
        return doubles.get(connection);
    }

    Collection<DrillDouble> all() {
        return doubles.values();
    }

    /** Every double's effects that name {@code instance}. */
    Map<String, Integer> effects(String instance) {
        Map<String, Integer> effects = new TreeMap<>();
        doubles.values().forEach(d -> effects.putAll(d.effects(instance)));
        return effects;
    }

    /** What stands in for what, for the evidence. */
    Map<String, String> described() {
        Map<String, String> described = new LinkedHashMap<>();
        doubles.forEach((name, d) -> described.put(name, d.describe()));
        return described;
    }

    @Override
    public void close() {
        for (DrillDouble standIn : new ArrayList<>(doubles.values())) {
            routing.standDown(standIn.connection());
            standIn.close();
        }
        doubles.clear();
    }
}
