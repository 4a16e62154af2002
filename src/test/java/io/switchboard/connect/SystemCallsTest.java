package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.switchboard.connect.ConnectionState.Status;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.support.TcpFaultProxy;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Routes call databases, mail servers, brokers and folders as {@code connection:<name>}, against
 * the machine's real PostgreSQL (a database of this test's own), RabbitMQ (a vhost of its own)
 * and an in-process SMTP server: the call does its work, only what the kind needs reaches the
 * system, the connection's rate limit spaces a burst, and a system cut off by a TCP proxy turns
 * the connection failing.
 */
class SystemCallsTest {

    private static final String DATABASE = "sb_test_calls_" + UUID.randomUUID().toString().substring(0, 8);
    /** A +, a % before hex digits ({@code %ab}, not an escape here), quotes and a :#name parameter. */
    private static final String COUNTER_SQL = "update counters set n = n + 1, label = label || ' +50% \"off\"' "
            + "where id = :#id and label like '%ab%'";
    private static final String VHOST = "sb-test-calls-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path folder;

    private static GreenMail smtp;
    private static TcpFaultProxy databaseProxy;
    private static DefaultCamelContext camel;
    private static ProducerTemplate template;
    private static ConnectionStates states;
    private static SystemClients clients;
    private static JdbcTemplate shop;

    @BeforeAll
    static void systems() throws Exception {
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + DATABASE);
        }
        shop = new JdbcTemplate(new SingleConnectionDataSource("jdbc:postgresql://127.0.0.1:5432/" + DATABASE,
                "postgres", "", true));
        shop.execute("create table orders (id text primary key, total numeric not null check (total >= 0), "
                + "arrived_at timestamp not null default clock_timestamp())");
        shop.execute("create table counters (id text primary key, n int not null, label text not null)");
        TestVhost.create(VHOST);
        try (var broker = rabbit().newConnection(); var channel = broker.createChannel()) {
            channel.queueDeclare("orders", true, false, false, null);
        }
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        databaseProxy = new TcpFaultProxy("127.0.0.1", 5432);

        Map<String, ConnectionsProperties.Connection> settings = new LinkedHashMap<>();
        settings.put("shop-db", system(ConnectionKind.JDBC, "jdbc:postgresql://127.0.0.1:5432/" + DATABASE, 20, null));
        settings.put("cut-db", system(ConnectionKind.JDBC, "jdbc:postgresql://127.0.0.1:" + databaseProxy.port() + "/"
                + DATABASE, 0, null));
        settings.put("mail-out", system(ConnectionKind.MAIL, "smtp://127.0.0.1:" + smtp.getSmtp().getPort(), 0, null));
        settings.put("shop-broker", system(ConnectionKind.AMQP, "amqp://127.0.0.1:5672/" + VHOST, 0, null));
        settings.put("partner-drop", system(ConnectionKind.FILE, null, 0, folder.toString()));
        settings.put("sensors-out", system(ConnectionKind.MQTT, "tcp://127.0.0.1:1883", 0, null));
        settings.put("events-out", system(ConnectionKind.NATS, "nats://127.0.0.1:4222", 0, null));
        states = new ConnectionStates(Clock.systemUTC());
        clients = new SystemClients(new ConnectionsProperties(settings), states, Clock.systemUTC(), () -> 1);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("connection", new ConnectionComponent(null, clients));
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterAll
    static void tearDown() throws Exception {
        camel.stop();
        clients.destroy();
        smtp.stop();
        databaseProxy.close();
        ((SingleConnectionDataSource) shop.getDataSource()).destroy();
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + DATABASE + " with (force)");
        }
        TestVhost.delete(VHOST);
    }

    @Test
    void aStatementTakesItsParametersFromTheBodysFields() {
        Exchange inserted = call("connection:shop-db?sql=insert into orders (id, total) values (:#id, :#total)",
                "{\"id\":\"o-1\",\"total\":12.5}", Map.of());

        assertThat(inserted.getException()).isNull();
        assertThat(inserted.getMessage().getHeader("CamelSqlUpdateCount")).isEqualTo(1);
        Exchange found = call("connection:shop-db?sql=select id, total from orders where id = :#id", "{\"id\":\"o-1\"}",
                Map.of());
        assertThat(found.getMessage().getBody(String.class)).isEqualTo("[{\"id\":\"o-1\",\"total\":12.5}]");
    }

    @Test
    void aConstraintViolationFailsTheCallAsTheDatabaseSaidIt() {
        Exchange refused = call("connection:shop-db?sql=insert into orders (id, total) values (:#id, :#total)",
                "{\"id\":\"o-negative\",\"total\":-3}", Map.of());

        assertThat(refused.getException()).isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("orders_total_check");
        // The database answered: bad data is not the system being down.
        assertThat(states.get("shop-db").map(ConnectionState::status).orElse(Status.OK)).isEqualTo(Status.OK);
    }

    @Test
    void aYamlRoutesStatementRunsAsWrittenWithPlusPercentAndQuotes() throws Exception {
        // As users write it: the YAML DSL joins parameters into the URI, where + used to become a space.
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("counters.camel.yaml", """
                - route:
                    id: bump-counter
                    from:
                      uri: direct:bump-counter
                      steps:
                        - to: {uri: "connection:shop-db", parameters: {sql: "%s"}}
                """.formatted(COUNTER_SQL.replace("\"", "\\\""))));
        shop.update("insert into counters (id, n, label) values ('c-yaml', 1, 'tab')");

        Exchange bumped = template.request("direct:bump-counter",
                exchange -> exchange.getMessage().setBody("{\"id\":\"c-yaml\"}"));

        assertThat(bumped.getException()).isNull();
        assertThat(bumped.getMessage().getHeader("CamelSqlUpdateCount")).isEqualTo(1);
        assertThat(shop.queryForMap("select n, label from counters where id = 'c-yaml'"))
                .containsEntry("n", 2).containsEntry("label", "tab +50% \"off\"");
    }

    @Test
    void aStatementInAPlainUriRunsAsWrittenToo() {
        shop.update("insert into counters (id, n, label) values ('c-uri', 1, 'tab')");

        Exchange bumped = call("connection:shop-db?sql=" + COUNTER_SQL, "{\"id\":\"c-uri\"}", Map.of());

        assertThat(bumped.getException()).isNull();
        assertThat(shop.queryForMap("select n, label from counters where id = 'c-uri'"))
                .containsEntry("n", 2).containsEntry("label", "tab +50% \"off\"");
    }

    @Test
    void aStatementHoldingAnAmpersandIsWrittenInRaw() {
        // & separates options in a URI, so only such a value needs RAW(...); its + stays a +.
        Exchange found = call("connection:shop-db?sql=RAW(select 6 & 3 as n, 1 + 1 as two)", "{}", Map.of());

        assertThat(found.getException()).isNull();
        assertThat(found.getMessage().getBody(String.class)).isEqualTo("[{\"n\":2,\"two\":2}]");
    }

    @Test
    void aBurstOfStatementsIsSpacedByTheConnectionsRateLimit() throws Exception {
        String batch = "burst-" + UUID.randomUUID();
        int calls = 40;
        long started = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Exchange>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String body = "{\"id\":\"" + batch + "-" + i + "\",\"total\":1}";
                sent.add(senders.submit(() -> call(
                        "connection:shop-db?sql=insert into orders (id, total) values (:#id, :#total)", body, Map.of())));
            }
            for (Future<Exchange> exchange : sent) {
                assertThat(exchange.get().getException()).isNull();
            }
        } finally {
            senders.shutdown();
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        List<Long> arrivals = new ArrayList<>(shop.queryForList("select arrived_at from orders where id like ?",
                Timestamp.class, batch + "%").stream().map(Timestamp::getTime).toList());
        Collections.sort(arrivals);
        int busiest = 0;
        for (int start = 0, end = 0; end < arrivals.size(); end++) {
            while (arrivals.get(end) - arrivals.get(start) >= 1000) {
                start++;
            }
            busiest = Math.max(busiest, end - start + 1);
        }
        System.out.printf("system calls: %d statements at a limit of 20/s took %d ms; busiest 1 s at the database: %d%n",
                calls, tookMillis, busiest);
        assertThat(arrivals).hasSize(calls);
        // Evenly spaced at 50 ms, 40 calls cannot take less than 39 spacings, whatever the machine's load.
        assertThat(tookMillis).isGreaterThanOrEqualTo(39 * 50 - 20);
    }

    @Test
    void aMailCarriesItsFieldsAndNoneOfTheExchangesHeaders() throws Exception {
        Exchange sent = call("connection:mail-out?from=switchboard@example.com",
                "{\"to\":\"ops@example.com\",\"subject\":\"Order o-7 shipped\",\"text\":\"It left the warehouse.\"}",
                Map.of("Authorization", "Bearer s3cret-token", "X-Internal-Note", "not for customers",
                        "SwitchboardEventId", "evt-42"));

        assertThat(sent.getException()).isNull();
        assertThat(smtp.waitForIncomingEmail(5_000, 1)).isTrue();
        MimeMessage received = smtp.getReceivedMessages()[0];
        assertThat(received.getSubject()).isEqualTo("Order o-7 shipped");
        assertThat(received.getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        assertThat(received.getHeader("X-Switchboard-Event")).containsExactly("evt-42");
        assertThat(received.getHeader("Authorization")).isNull();
        assertThat(received.getHeader("X-Internal-Note")).isNull();
        assertThat(new String(received.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("It left the warehouse.");
    }

    @Test
    void aMailWithoutARecipientIsRefusedNamingWhatToMap() {
        Exchange refused = call("connection:mail-out", "{\"subject\":\"no one\",\"text\":\"x\"}", Map.of());

        assertThat(refused.getException()).hasStackTraceContaining("needs to, subject and text");
    }

    @Test
    void aPublishedMessageIsConfirmedPersistentAndCarriesOnlyItsBody() throws Exception {
        Exchange published = call("connection:shop-broker?routingKey=orders", "{\"orderId\":\"o-9\"}",
                Map.of("Authorization", "Bearer s3cret-token", "MessageId", "order-o-9"));

        assertThat(published.getException()).isNull();
        try (var broker = rabbit().newConnection(); var channel = broker.createChannel()) {
            GetResponse message = channel.basicGet("orders", true);
            assertThat(message).isNotNull();
            assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-9\"}");
            assertThat(message.getProps().getMessageId()).isEqualTo("order-o-9");
            assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(message.getProps().getHeaders() == null ? Map.of() : message.getProps().getHeaders())
                    .doesNotContainKey("Authorization");
        }
    }

    @Test
    void anMqttMessageIsPublishedAtQos1WithItsMessageId() throws Exception {
        String topic = "sb-test-calls/" + UUID.randomUUID() + "/orders";
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = new MqttClient("tcp://127.0.0.1:1883", "sb-test-sub-" + UUID.randomUUID(),
                new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String arrivedOn, MqttMessage message) {
                received.add(message);
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException error) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        subscriber.connect();
        try {
            // Paho 1.2.5's subscribe(topic, qos, listener) calls itself forever: the callback instead.
            subscriber.subscribe(topic, 1);

            Exchange published = call("connection:sensors-out?topic=" + topic, "{\"orderId\":\"o-11\"}",
                    Map.of("MessageId", "order-o-11", "Authorization", "Bearer s3cret-token"));

            assertThat(published.getException()).isNull();
            MqttMessage message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(new String(message.getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-11\"}");
            assertThat(message.getQos()).isEqualTo(1);
            assertThat(message.getProperties().getUserProperties()).extracting(UserProperty::getKey,
                    UserProperty::getValue).containsExactly(tuple("message-id", "order-o-11"));
        } finally {
            subscriber.disconnect();
            subscriber.close();
        }
    }

    @Test
    void aNatsMessageIsAcknowledgedByTheStreamThatCapturesItsSubject() throws Exception {
        String prefix = "sbtestcalls" + UUID.randomUUID().toString().substring(0, 8);
        try (var nats = Nats.connect("nats://127.0.0.1:4222")) {
            JetStreamManagement streams = nats.jetStreamManagement();
            streams.addStream(StreamConfiguration.builder().name(prefix).subjects(prefix + ".>")
                    .storageType(StorageType.File).build());
            try {
                for (int i = 0; i < 2; i++) {
                    Exchange published = call("connection:events-out?topic=" + prefix + ".orders.created",
                            "{\"orderId\":\"o-12\"}", Map.of("MessageId", "order-o-12"));
                    assertThat(published.getException()).isNull();
                }
                // The same message id twice: the stream keeps one.
                assertThat(streams.getStreamInfo(prefix).getStreamState().getMsgCount()).isEqualTo(1);
                var stored = streams.getLastMessage(prefix, prefix + ".orders.created");
                assertThat(new String(stored.getData(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-12\"}");
            } finally {
                streams.deleteStream(prefix);
            }
            // No stream captures this subject: a core publish, which a subscriber gets.
            var subscription = nats.subscribe(prefix + "-core.orders");
            nats.flush(Duration.ofSeconds(2));
            Exchange core = call("connection:events-out?topic=" + prefix + "-core.orders", "{\"orderId\":\"o-13\"}",
                    Map.of());
            assertThat(core.getException()).isNull();
            var message = subscription.nextMessage(Duration.ofSeconds(5));
            assertThat(message).isNotNull();
            assertThat(new String(message.getData(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-13\"}");
        }
    }

    @Test
    void aFileIsWrittenWholeInsideTheFolderAndNeverOutside() throws Exception {
        Exchange written = call("connection:partner-drop?fileName=out/o-5.json", "{\"orderId\":\"o-5\"}", Map.of());

        assertThat(written.getException()).isNull();
        assertThat(Files.readString(folder.resolve("out/o-5.json"))).isEqualTo("{\"orderId\":\"o-5\"}");
        try (var left = Files.list(folder.resolve("out"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("o-5.json");
        }
        Exchange escaping = call("connection:partner-drop?fileName=../escaped.json", "{}", Map.of());
        assertThat(escaping.getException()).hasMessageContaining("inside the connection's folder");
        assertThat(folder.resolveSibling("escaped.json")).doesNotExist();
    }

    @Test
    void aDatabaseCutOffTurnsTheConnectionFailingAndBackAfterItAnswers() {
        String insert = "connection:cut-db?sql=insert into orders (id, total) values (:#id, :#total)";
        assertThat(call(insert, "{\"id\":\"cut-0\",\"total\":1}", Map.of()).getException()).isNull();

        databaseProxy.cut();
        for (int i = 1; i <= 3; i++) {
            Exchange failed = call(insert, "{\"id\":\"cut-" + i + "\",\"total\":1}", Map.of());
            assertThat(failed.getException()).isNotNull();
            assertThat(failed.getProperty("SwitchboardFailedConnection")).isEqualTo("cut-db");
        }
        ConnectionState failing = states.get("cut-db").orElseThrow();
        assertThat(failing.status()).isEqualTo(Status.FAILING);
        assertThat(failing.detail()).contains("3 of 4 calls");

        databaseProxy.restore();
        for (int i = 4; i <= 6; i++) {
            assertThat(call(insert, "{\"id\":\"cut-" + i + "\",\"total\":1}", Map.of()).getException()).isNull();
        }
        assertThat(states.get("cut-db").orElseThrow().status()).isEqualTo(Status.OK);
    }

    @Test
    void aPathOnAConnectionThatIsNotHttpIsRefusedAtTheRoute() {
        assertThatThrownBy(() -> call("connection:shop-db/orders", "{}", Map.of()))
                .hasStackTraceContaining("of kind jdbc, which takes no path");
    }

    private static Exchange call(String uri, String body, Map<String, Object> headers) {
        return template.request(uri, exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeaders(new LinkedHashMap<>(headers));
        });
    }

    private static ConnectionsProperties.Connection system(ConnectionKind kind, String url, double rateLimit,
            String path) {
        return new ConnectionsProperties.Connection(kind, null, null, Duration.ofSeconds(2), Duration.ofSeconds(5),
                rateLimit, 4, null, url, kind == ConnectionKind.JDBC ? "postgres"
                : kind == ConnectionKind.AMQP ? "guest" : null, kind == ConnectionKind.AMQP ? "guest" : null, path);
    }

    private static ConnectionFactory rabbit() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri("amqp://127.0.0.1:5672/" + VHOST);
        factory.setUsername("guest");
        factory.setPassword("guest");
        return factory;
    }
}
