package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.switchboard.alerting.RecordingAlertSink;
import io.switchboard.storage.Databases;
import io.switchboard.support.IntegrationTestSupport;
import io.switchboard.support.TcpFaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The platform database cut off (a TCP proxy in front of a PostgreSQL database of its own, not
 * the machine's server stopped) while MQTT and NATS messages keep arriving: both consumers pause,
 * one alert per integration, and once the database is back every message ends DONE exactly once.
 */
@TestPropertySource(properties = {"switchboard.queue.enabled=true", "switchboard.queue.back-off=1s",
    "switchboard.queue.mqtt-session-expiry=5m", "spring.datasource.hikari.connection-timeout=1000",
    "spring.datasource.hikari.validation-timeout=500"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerIntakeOutageIT extends IntegrationTestSupport {

    private static final TestMqttBroker mqtt = new TestMqttBroker();
    private static TestNatsServer nats;
    private static TestBroker amqp;
    private static TcpFaultProxy database;
    private static String databaseName;

    @Autowired
    private QueueTriggers triggers;

    @Autowired
    private RecordingAlertSink alerts;

    @DynamicPropertySource
    static void ownDatabaseTopicsAndStream(DynamicPropertyRegistry registry) throws Exception {
        databaseName = Databases.newPostgresDatabase("sb_queue_outage");
        database = new TcpFaultProxy("127.0.0.1", 5432);
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + database.port() + "/"
                + databaseName);
        registry.add("spring.datasource.username", () -> Databases.POSTGRES_USER);
        registry.add("spring.datasource.password", () -> "");
        nats = new TestNatsServer();
        nats.createStream();
        // The queue example's AMQP consumer starts too: on a vhost of its own, not one that may be gone.
        amqp = new TestBroker("sb-test-broker-outage-" + UUID.randomUUID().toString().substring(0, 8));
        registry.add("switchboard.connections.orders-broker.url", amqp::url);
        registry.add("switchboard.connections.sensors.url", () -> TestMqttBroker.URL);
        registry.add("switchboard.integrations.mqtt-intake.source.topic", () -> mqtt.prefix + "shop/orders/#");
        registry.add("switchboard.connections.events.url", () -> TestNatsServer.URL);
        registry.add("switchboard.integrations.nats-intake.source.topic", () -> nats.prefix + ".orders.created");
    }

    @AfterAll
    void deleteEverything() throws Exception {
        triggers.stop();
        TestMqttBroker.endSession(triggers.mqttClientId("mqtt-intake"));
        nats.deleteStream(NatsConsumer.durableName("nats-intake"));
        nats.close();
        amqp.close();
        database.close();
        Databases.dropPostgresDatabase(databaseName);
    }

    @Test
    void messagesArrivingWhileThePlatformDatabaseIsCutAreAllDoneOnceAfterItReturns() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> mqttIds = new ArrayList<>();
        List<String> natsIds = new ArrayList<>();
        publish(run, 0, mqttIds, natsIds);
        await().atMost(Duration.ofSeconds(30)).until(() -> done("mqtt-intake", mqttIds) && done("nats-intake", natsIds));

        database.cut();
        publish(run, 1, mqttIds, natsIds);
        await().atMost(Duration.ofSeconds(30)).until(() -> !triggers.isConsuming("mqtt-intake")
                && !triggers.isConsuming("nats-intake"));
        await().atMost(Duration.ofSeconds(30)).until(() -> alerts.raised("source-not-stored:mqtt-intake").size() == 1
                && alerts.raised("source-not-stored:nats-intake").size() == 1);
        for (int i = 2; i <= 5; i++) {
            publish(run, i, mqttIds, natsIds);
        }
        database.restore();

        // The pool reconnects at its own pace: until then the test's own queries fail too.
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> done("mqtt-intake", mqttIds) && done("nats-intake", natsIds));
        for (String id : mqttIds) {
            assertThat(events("mqtt-intake", id)).as("MQTT message " + id).isEqualTo(1);
        }
        for (String id : natsIds) {
            assertThat(events("nats-intake", id)).as("NATS message " + id).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> triggers.isConsuming("mqtt-intake")
                && triggers.isConsuming("nats-intake"));
        assertThat(alerts.raised("source-not-stored:mqtt-intake")).as("one alert for the outage").hasSize(1);
        assertThat(alerts.raised("source-not-stored:nats-intake")).as("one alert for the outage").hasSize(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> alerts.resolved("source-not-stored:mqtt-intake").size() == 1
                && alerts.resolved("source-not-stored:nats-intake").size() == 1);
    }

    private void publish(String run, int n, List<String> mqttIds, List<String> natsIds) throws Exception {
        String mqttId = "mqtt-" + run + "-" + n;
        String natsId = "nats-" + run + "-" + n;
        mqtt.publish(mqtt.prefix + "shop/orders/berlin", mqttId, "{\"order\":\"" + mqttId + "\"}");
        nats.publish(nats.prefix + ".orders.created", natsId, "{\"order\":\"" + natsId + "\"}");
        mqttIds.add(mqttId);
        natsIds.add(natsId);
    }

    private boolean done(String integration, List<String> deliveryIds) {
        return deliveryIds.stream().allMatch(id -> jdbc.queryForList("select status from event where integration = ? "
                + "and delivery_id = ?", String.class, integration, id).equals(List.of("DONE")));
    }

    private int events(String integration, String deliveryId) {
        return jdbc.queryForObject("select count(*) from event where integration = ? and delivery_id = ?",
                Integer.class, integration, deliveryId);
    }
}
