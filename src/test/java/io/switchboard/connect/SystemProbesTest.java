package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.switchboard.alerting.Alerts;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.support.TcpFaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes of connections that are not HTTP, against the machine's real RabbitMQ, PostgreSQL,
 * Mosquitto and NATS, each behind a TCP proxy that cuts it the way a network does: the state
 * turns unreachable at the next probe and back to ok after, a refused login is
 * credentials-rejected, and each outage is one alert resolved on recovery.
 */
class SystemProbesTest {

    @TempDir
    Path folder;

    private final ConnectionStates states = new ConnectionStates(Clock.systemUTC());
    private final Alerts alerts = mock(Alerts.class);
    private TcpFaultProxy rabbit;
    private TcpFaultProxy postgres;
    private TcpFaultProxy mosquitto;
    private TcpFaultProxy natsServer;

    @BeforeEach
    void proxies() throws Exception {
        rabbit = new TcpFaultProxy("127.0.0.1", 5672);
        postgres = new TcpFaultProxy("127.0.0.1", 5432);
        mosquitto = new TcpFaultProxy("127.0.0.1", 1883);
        natsServer = new TcpFaultProxy("127.0.0.1", 4222);
    }

    @AfterEach
    void closeProxies() {
        rabbit.close();
        postgres.close();
        mosquitto.close();
        natsServer.close();
    }

    @Test
    void aSystemCutOffIsUnreachableUntilItAnswersAgainWithOneAlertPerOutage() {
        SystemProbes probes = probes(Map.of(
                "orders-broker", connection(ConnectionKind.AMQP, "amqp://127.0.0.1:" + rabbit.port(), "guest",
                        "guest"),
                "shop-db", connection(ConnectionKind.JDBC, "jdbc:postgresql://127.0.0.1:" + postgres.port()
                        + "/postgres", "postgres", null),
                "sensors", connection(ConnectionKind.MQTT, "tcp://127.0.0.1:" + mosquitto.port(), null, null),
                "events", connection(ConnectionKind.NATS, "nats://127.0.0.1:" + natsServer.port(), null, null)));

        probes.probeAll();
        assertState("orders-broker", Status.OK);
        assertState("shop-db", Status.OK);
        assertState("sensors", Status.OK);
        assertState("events", Status.OK);

        rabbit.cut();
        postgres.cut();
        mosquitto.cut();
        natsServer.cut();
        probes.probeAll();
        probes.probeAll();

        for (String name : new String[] {"orders-broker", "shop-db", "sensors", "events"}) {
            assertState(name, Status.UNREACHABLE);
            assertThat(states.get(name).orElseThrow().detail()).as(name).contains("127.0.0.1");
            // Raised at each probe; Alerts counts repeats of one key as one outage.
            verify(alerts, times(2)).raise(eq("connection:" + name + ":unreachable"), anyString(), anyString());
        }

        rabbit.restore();
        postgres.restore();
        mosquitto.restore();
        natsServer.restore();
        probes.probeAll();

        for (String name : new String[] {"orders-broker", "shop-db", "sensors", "events"}) {
            assertState(name, Status.OK);
            verify(alerts).resolve("connection:" + name + ":unreachable");
        }
    }

    @Test
    void aRefusedLoginIsCredentialsRejectedAndNamesTheUserNotThePassword() {
        SystemProbes probes = probes(Map.of(
                "orders-broker", connection(ConnectionKind.AMQP, "amqp://127.0.0.1:5672", "guest",
                        "not-the-password-s3cret"),
                "shop-db", connection(ConnectionKind.JDBC, "jdbc:postgresql://127.0.0.1:5432/postgres",
                        "no-such-role", "not-the-password-s3cret")));

        probes.probeAll();

        for (String name : new String[] {"orders-broker", "shop-db"}) {
            ConnectionState state = states.get(name).orElseThrow();
            assertThat(state.status()).as(name).isEqualTo(Status.CREDENTIALS_REJECTED);
            assertThat(state.detail()).as(name).contains("refused the user").doesNotContain("s3cret");
            verify(alerts).raise(eq("connection:" + name + ":credentials-rejected"), anyString(), anyString());
        }
    }

    @Test
    void aFolderThatIsMissingIsUnreachableAndAnExistingOneIsOk() {
        SystemProbes probes = probes(Map.of(
                "partner-drop", folder(folder.toString()),
                "gone", folder(folder.resolve("not-there").toString())));

        probes.probeAll();

        assertState("partner-drop", Status.OK);
        assertState("gone", Status.UNREACHABLE);
        assertThat(states.get("gone").orElseThrow().detail()).contains("does not exist");
        verify(alerts, never()).raise(eq("connection:partner-drop:unreachable"), anyString(), anyString());
    }

    @Test
    void theAddressShownHasNoUserOrPassword() {
        assertThat(ConnectionsController.address(connection(ConnectionKind.AMQP,
                "amqp://shop:s3cret@broker.example:5672/orders?heartbeat=10", null, null)))
                .isEqualTo("amqp://broker.example:5672/orders");
        assertThat(ConnectionsController.address(connection(ConnectionKind.JDBC,
                "jdbc:postgresql://db.example:5432/shop?password=s3cret", null, null)))
                .isEqualTo("jdbc:postgresql://db.example:5432/shop");
    }

    private void assertState(String name, Status expected) {
        ConnectionState state = states.get(name).orElseThrow();
        assertThat(state.status()).as(name + ": " + state.detail()).isEqualTo(expected);
    }

    private SystemProbes probes(Map<String, Connection> connections) {
        return new SystemProbes(new ConnectionsProperties(new LinkedHashMap<>(connections)), states, alerts,
                Duration.ofSeconds(30), true);
    }

    private static Connection connection(ConnectionKind kind, String url, String username, String password) {
        return new Connection(kind, null, null, Duration.ofSeconds(2), null, 0, 0, null, url, username, password,
                null);
    }

    private static Connection folder(String path) {
        return new Connection(ConnectionKind.FILE, null, null, null, null, 0, 0, null, null, null, null, path);
    }
}
