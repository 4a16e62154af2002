package io.switchboard.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.switchboard.storage.Databases;
import io.switchboard.support.ServerProcess;
import jakarta.mail.Flags;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a server reading five real sources at once while items keep arriving in each:
 * a PostgreSQL outbox of the shop's own (Camel JPA), an IMAP mailbox (GreenMail in this JVM, mails
 * sent over SMTP), a folder, an MQTT topic prefix on the machine's Mosquitto and a JetStream stream
 * on its NATS. The server runs as a process of its own on a PostgreSQL database of its own; each
 * item mails its own address in a once-only step (the sandbox's mail API keeps the
 * Idempotency-Key). The node is killed with SIGKILL when a third of all items are done, then
 * started again. Per source, every item must become exactly one event that ends DONE, every
 * address get exactly one mail, and the source end drained: rows marked, mails seen, files in
 * {@code .done}, the stream's consumer with nothing pending. What was taken but not stored when the
 * node died is taken again (no row mark, no seen flag, no move, no ack happened); what was stored
 * but not acknowledged comes back as a duplicate of its event; an event in hand comes back to the
 * inbox when its lease (5 s) runs out.
 *
 * <p>The same node also holds one order of {@code kill-effects} (a webhook) when it dies: that
 * order's row in the shop's PostgreSQL (a plain insert) and its mail over SMTP are done, each a
 * once-only step, and the route waits at its last step on a row the test keeps locked, so the
 * event is not DONE. After the restart the order ends DONE with still one row and one mail: the
 * journal's record of each step, not the systems, stops the repeat.
 */
class SourcesKillIT {

    private static final int ITEMS = Integer.getInteger("switchboard.test.sources-kill-items", 100);
    /** One item per source every this many milliseconds: the feed goes on across the kill. */
    private static final long EVERY_MS = 80;
    private static final String MAIL_KEY = "sources-kill-mail-key";
    private static final String MAILBOX = "kill@shop.example";
    private static final String MAILBOX_PASSWORD = "sources-kill-mailbox-password";
    private static final String OUTBOX_DDL = """
            create table outbox (
              id            uuid primary key,
              aggregatetype varchar(255) not null,
              aggregateid   varchar(255) not null,
              type          varchar(255) not null,
              payload       jsonb not null,
              created_at    timestamptz not null default now(),
              processed_at  timestamptz
            )""";

    private static final String EFFECTS_KEY = "sources-kill-effects-key";
    private static final String KILL_ORDERS_DDL = "create table kill_orders (order_id varchar(64) not null, "
            + "email varchar(320) not null)";
    private static final String KILL_GATE_DDL = "create table kill_gate (id varchar(64) primary key, passed int not null)";

    private final ObjectMapper json = new ObjectMapper();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String mqttPrefix = "sb-kill/" + suffix + "/";
    private final String natsPrefix = "sbkill" + suffix;
    private final String natsStream = natsPrefix.toUpperCase();

    private String database;
    private String shop;
    private GreenMail mailServer;
    private GreenMailUser mailbox;
    private Path drop;
    private MqttClient mqtt;
    private AutoCloseable nats;
    private JetStream jetStream;
    private JetStreamManagement streams;
    private ServerProcess server;
    private Connection gate;

    @AfterEach
    void stopAndClean() throws Exception {
        if (gate != null) {
            gate.close();
        }
        if (server != null) {
            server.stop();
        }
        if (mqtt != null) {
            mqtt.disconnect();
            mqtt.close();
            endMqttSession("switchboard-mqtt-kill-sources-kill");
        }
        if (nats != null) {
            try {
                streams.deleteStream(natsStream);
            } catch (JetStreamApiException gone) {
                // nothing to delete
            }
            nats.close();
        }
        if (mailServer != null) {
            mailServer.stop();
        }
        if (drop != null) {
            try (Stream<Path> files = Files.walk(drop)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
            }
        }
        for (String name : new String[] {shop, database}) {
            if (name != null) {
                Databases.dropPostgresDatabase(name);
            }
        }
    }

    @Test
    void aNodeKilledMidRunLeavesEveryItemOfEverySourceOneDoneEventAndOneEffect() throws Exception {
        database = Databases.newPostgresDatabase("sources_kill");
        shop = Databases.newPostgresDatabase("kill_shop");
        execute(shop, OUTBOX_DDL);
        execute(shop, KILL_ORDERS_DDL);
        execute(shop, KILL_GATE_DDL);
        mailServer = new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        mailServer.start();
        mailbox = mailServer.setUser(MAILBOX, MAILBOX, MAILBOX_PASSWORD);
        drop = Files.createTempDirectory("sources-kill-drop");
        Files.createDirectories(drop.resolve("orders"));
        mqtt = new MqttClient("tcp://127.0.0.1:1883", "sb-kill-publisher-" + suffix, new MemoryPersistence());
        mqtt.connect();
        connectNats();
        streams.addStream(StreamConfiguration.builder().name(natsStream)
                .subjects(natsPrefix + ".>").storageType(StorageType.File).build());

        Path routes = Files.createTempDirectory("sources-kill-routes");
        for (String id : List.of("outbox-kill", "mailbox-kill", "file-kill", "mqtt-kill", "nats-kill", "kill-effects")) {
            for (String file : List.of(id + ".camel.yaml", id + ".card.yaml")) {
                Files.copy(Path.of("src", "test", "resources", "kill-routes", file), routes.resolve(file));
            }
        }
        server = new ServerProcess("sources-kill", Path.of("target", "sources-kill-it"), List.of(
                "--spring.profiles.active=postgres",
                // Its MQTT session's name: the restarted node takes the killed one's session back.
                "--switchboard.node-id=sources-kill",
                "--spring.datasource.url=" + Databases.postgresDatabaseUrl(database),
                "--spring.datasource.username=" + Databases.POSTGRES_USER,
                "--spring.datasource.password=",
                "--switchboard.security.admin.password=sources-kill-admin-password",
                "--switchboard.routes.directory=" + routes,
                "--switchboard.outbox.delay=100ms",
                "--switchboard.outbox.back-off=1s",
                "--switchboard.mailbox.delay=200ms",
                "--switchboard.mailbox.back-off=1s",
                "--switchboard.files.delay=200ms",
                "--switchboard.files.back-off=1s",
                "--switchboard.files.read-lock-check-interval=200ms",
                "--switchboard.queue.back-off=1s",
                "--switchboard.queue.mqtt-session-expiry=5m",
                "--switchboard.connections.kill-shop.kind=jdbc",
                "--switchboard.connections.kill-shop.url=" + Databases.postgresDatabaseUrl(shop),
                "--switchboard.connections.kill-shop.username=" + Databases.POSTGRES_USER,
                "--switchboard.connections.kill-shop.password=${KILL_SHOP_PASSWORD:}",
                "--switchboard.connections.kill-mail.kind=mail",
                "--switchboard.connections.kill-mail.url=imap://127.0.0.1:" + mailServer.getImap().getPort(),
                "--switchboard.connections.kill-mail.username=" + MAILBOX,
                "--switchboard.connections.kill-mail.password=${KILL_MAIL_PASSWORD}",
                "--switchboard.connections.kill-drop.kind=file",
                "--switchboard.connections.kill-drop.path=" + drop,
                "--switchboard.connections.kill-mqtt.kind=mqtt",
                "--switchboard.connections.kill-mqtt.url=tcp://127.0.0.1:1883",
                "--switchboard.integrations.mqtt-kill.source.topic=" + mqttPrefix + "#",
                "--switchboard.connections.kill-nats.kind=nats",
                "--switchboard.connections.kill-nats.url=nats://127.0.0.1:4222",
                "--switchboard.integrations.nats-kill.source.topic=" + natsPrefix + ".orders",
                "--switchboard.connections.kill-smtp.kind=mail",
                "--switchboard.connections.kill-smtp.url=smtp://127.0.0.1:" + mailServer.getSmtp().getPort(),
                "--switchboard.connections.kill-smtp.rate-limit=100",
                "--switchboard.connections.mail.rate-limit=1000",
                "--switchboard.sandbox.enabled=true",
                "--switchboard.sandbox.mail.api-key=" + MAIL_KEY),
                Map.of("KILL_MAIL_PASSWORD", MAILBOX_PASSWORD, "MAIL_API_KEY", MAIL_KEY,
                        "KILL_EFFECTS_KEY", EFFECTS_KEY,
                        "SWITCHBOARD_ENCRYPTION_KEY", "c291cmNlcy1raWxsLXRlc3QtdG9rZW4ta2V5LTMyLWI="));
        server.start();
        server.awaitReady(Duration.ofMinutes(3));

        // kill-effects' order: its row and mail done, then held at the gate until after the restart.
        String order = "order-" + suffix;
        execute(shop, "insert into kill_gate (id, passed) values ('" + order + "', 0)");
        gate = DriverManager.getConnection(Databases.postgresDatabaseUrl(shop), Databases.POSTGRES_USER, "");
        gate.setAutoCommit(false);
        try (Statement lock = gate.createStatement()) {
            lock.executeQuery("select passed from kill_gate where id = '" + order + "' for update").close();
        }
        String effectsEvent = postOrder(order);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() ->
                count(database, "select count(*) from event_step where event_id = '" + effectsEvent
                        + "' and step in ('order-row', 'order-mail') and outcome = 'ok'") == 2
                        && count(shop, "select count(*) from pg_stat_activity where datname = '" + shop
                        + "' and wait_event_type = 'Lock'") == 1);
        assertThat(count(shop, "select count(*) from kill_orders where order_id = '" + order + "'")).isEqualTo(1);
        assertThat(mailsTo(order)).isEqualTo(1);

        Map<String, Feed> feeds = new LinkedHashMap<>();
        feeds.put("outbox-kill", this::commitOutboxRow);
        feeds.put("mailbox-kill", this::sendMail);
        feeds.put("file-kill", this::dropFile);
        feeds.put("mqtt-kill", this::publishMqtt);
        feeds.put("nats-kill", this::publishNats);
        Map<String, Feeder> feeders = new LinkedHashMap<>();
        feeds.forEach((id, feed) -> feeders.put(id, new Feeder(id, feed)));
        feeders.values().forEach(Thread::start);

        // A third of all items done, or sooner if one source ran ahead: each is killed mid-run.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Map<String, Integer> done = donePerSource();
            return done.values().stream().mapToInt(Integer::intValue).sum() >= feeds.size() * ITEMS / 3
                    || done.values().stream().anyMatch(n -> n >= ITEMS * 6 / 10);
        });
        server.kill();
        String effectsStatusAtKill = status(effectsEvent);
        // The killed node's statement at the gate would still run once the lock goes: it dies with the node.
        execute(shop, "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + shop
                + "' and wait_event_type = 'Lock'");
        Map<String, Integer> doneAtKill = new HashMap<>();
        Map<String, Integer> fedAtKill = new HashMap<>();
        for (String id : feeds.keySet()) {
            doneAtKill.put(id, count(database, "select count(*) from event where integration = '" + id
                    + "' and status = 'DONE'"));
            fedAtKill.put(id, feeders.get(id).fed.get());
        }
        server.start();
        server.awaitReady(Duration.ofMinutes(3));
        // The restarted node takes kill-effects' order again and waits at the gate: open it.
        gate.commit();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> "DONE".equals(status(effectsEvent)));
        int rows = count(shop, "select count(*) from kill_orders where order_id = '" + order + "'");
        int mails = mailsTo(order);
        int attempts = count(database, "select attempts from event where id = '" + effectsEvent + "'");
        System.out.printf("kill-effects kill: statusAtKill=%s attempts=%d rows=%d mails=%d gatePassed=%d%n",
                effectsStatusAtKill, attempts, rows, mails,
                count(shop, "select passed from kill_gate where id = '" + order + "'"));
        assertThat(effectsStatusAtKill).as("killed before DONE").isNotEqualTo("DONE");
        assertThat(attempts).as("taken again after the restart").isGreaterThan(1);
        assertThat(rows).as("the guarded insert not repeated").isEqualTo(1);
        assertThat(mails).as("the guarded mail not repeated").isEqualTo(1);
        assertThat(count(database, "select count(*) from event_step where event_id = '" + effectsEvent
                + "' and step in ('order-row', 'order-mail')")).as("each step recorded once").isEqualTo(2);
        for (Feeder feeder : feeders.values()) {
            feeder.join(Duration.ofMinutes(1).toMillis());
            assertThat(feeder.failure).as(feeder.id + " fed").isNull();
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                count(database, "select count(*) from event where integration like '%-kill' and status = 'DONE'")
                        >= feeds.size() * ITEMS && drained());

        List<String> problems = new ArrayList<>();
        for (String id : feeds.keySet()) {
            problems.addAll(assertOnceEach(id, doneAtKill.get(id), fedAtKill.get(id)));
        }
        assertThat(problems).isEmpty();
        assertThat(count(database, "select count(*) from dead_letter")).isZero();
        assertThat(count(database, "select count(*) from inbox")).isZero();
    }

    /** Every item one event, DONE, one mail to its address; printed per source, problems returned. */
    private List<String> assertOnceEach(String id, int doneAtKill, int fedAtKill) throws Exception {
        Map<String, Integer> eventsPerItem = new HashMap<>();
        Map<String, String> statusOf = new HashMap<>();
        List<String> deliveryIds = new ArrayList<>();
        query(database, "select payload, status, delivery_id from event where integration = '" + id + "'", rs -> {
            JsonNode payload = json.readTree(rs.getString(1));
            String item = payload.hasNonNull("key") ? payload.get("key").asText() : payload.path("subject").asText();
            eventsPerItem.merge(item, 1, Integer::sum);
            statusOf.put(item, rs.getString(2));
            deliveryIds.add(rs.getString(3));
        });
        Map<String, Integer> mailsPerItem = new HashMap<>();
        query(database, "select recipient from sandbox_mail_message where recipient like '%@" + id + ".test'",
                rs -> mailsPerItem.merge(rs.getString(1).replace("@" + id + ".test", ""), 1, Integer::sum));
        int resumed = count(database, "select count(*) from event where integration = '" + id + "' and attempts > 1");
        int duplicates = count(database, "select count(*) from event_step s join event e on e.id = s.event_id where "
                + "e.integration = '" + id + "' and s.step = 'duplicate-delivery'");
        List<String> items = new ArrayList<>();
        for (int i = 1; i <= ITEMS; i++) {
            items.add(item(i));
        }
        long done = statusOf.values().stream().filter("DONE"::equals).count();
        long doubled = mailsPerItem.values().stream().filter(n -> n > 1).count();
        long lost = items.stream().filter(item -> !eventsPerItem.containsKey(item)).count();
        System.out.printf("%s kill: items=%d fedAtKill=%d doneAtKill=%d events=%d done=%d resumed=%d "
                        + "redeliveredDuplicates=%d effects=%d doubled=%d lost=%d%n", id, ITEMS, fedAtKill, doneAtKill,
                eventsPerItem.values().stream().mapToInt(Integer::intValue).sum(), done, resumed, duplicates,
                mailsPerItem.values().stream().mapToInt(Integer::intValue).sum(), doubled, lost);

        List<String> problems = new ArrayList<>();
        check(problems, doneAtKill < ITEMS, id + " killed mid-run");
        check(problems, eventsPerItem.keySet().equals(Set.copyOf(items)), id + " every item one event");
        check(problems, eventsPerItem.values().stream().allMatch(n -> n == 1), id + " no item two events");
        check(problems, deliveryIds.stream().distinct().count() == deliveryIds.size(), id + " delivery ids distinct");
        check(problems, done == ITEMS, id + " every event DONE");
        check(problems, mailsPerItem.keySet().equals(Set.copyOf(items)), id + " every item's effect");
        check(problems, doubled == 0, id + " no effect doubled");
        return problems;
    }

    /** Posts kill-effects' order as its webhook's sender would; returns its event id. */
    private String postOrder(String order) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/webhooks/kill-effects"))
                .header("Content-Type", "application/json").header("X-Api-Key", EFFECTS_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"" + order + "\",\"email\":\"" + order
                        + "@kill-effects.test\"}")).build();
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return json.readTree(accepted.body()).get("eventId").asText();
    }

    private String status(String eventId) throws Exception {
        String[] value = new String[1];
        query(database, "select status from event where id = '" + eventId + "'", rs -> value[0] = rs.getString(1));
        return value[0];
    }

    /** Mails the mail server took over SMTP for the order's address. */
    private int mailsTo(String order) throws Exception {
        int n = 0;
        for (MimeMessage message : mailServer.getReceivedMessages()) {
            if (InternetAddress.toString(message.getAllRecipients()).contains(order + "@kill-effects.test")) {
                n++;
            }
        }
        return n;
    }

    private Map<String, Integer> donePerSource() throws Exception {
        Map<String, Integer> done = new HashMap<>();
        query(database, "select integration, count(*) from event where integration like '%-kill' and status = 'DONE' "
                + "group by integration", rs -> done.put(rs.getString(1), rs.getInt(2)));
        return done;
    }

    private static void check(List<String> problems, boolean holds, String what) {
        if (!holds) {
            problems.add(what);
        }
    }

    /** Every source handed everything over: rows marked, mails seen, files moved, nothing pending on the stream. */
    private boolean drained() throws Exception {
        boolean rowsMarked = count(shop, "select count(*) from outbox where processed_at is null") == 0;
        List<StoredMessage> mails = mailServer.getManagers().getImapHostManager().getInbox(mailbox).getMessages();
        boolean mailsSeen = mails.size() == ITEMS && mails.stream().allMatch(m -> m.isSet(Flags.Flag.SEEN));
        boolean filesMoved;
        try (Stream<Path> left = Files.list(drop.resolve("orders"))) {
            filesMoved = left.noneMatch(path -> path.getFileName().toString().endsWith(".json"));
        }
        try (Stream<Path> done = Files.list(drop.resolve("orders").resolve(".done"))) {
            filesMoved &= done.count() == ITEMS;
        }
        ConsumerInfo consumer = streams.getConsumerInfo(natsStream, "switchboard-nats-kill");
        boolean streamAcked = consumer.getNumPending() == 0 && consumer.getNumAckPending() == 0;
        return rowsMarked && mailsSeen && filesMoved && streamAcked;
    }

    private void connectNats() throws Exception {
        var connection = Nats.connect("nats://127.0.0.1:4222");
        nats = connection;
        jetStream = connection.jetStream();
        streams = connection.jetStreamManagement();
    }

    private static String item(int i) {
        return "item-" + i;
    }

    private static String body(int i) {
        return "{\"key\":\"" + item(i) + "\"}";
    }

    private void commitOutboxRow(int i) throws Exception {
        try (Connection c = DriverManager.getConnection(Databases.postgresDatabaseUrl(shop), Databases.POSTGRES_USER, "");
             PreparedStatement insert = c.prepareStatement("insert into outbox (id, aggregatetype, aggregateid, type, "
                     + "payload) values (cast(? as uuid), 'order', ?, 'order.placed', cast(? as jsonb))")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.setString(2, item(i));
            insert.setString(3, body(i));
            insert.executeUpdate();
        }
    }

    private void sendMail(int i) {
        GreenMailUtil.sendTextEmail(MAILBOX, "customer@shop.example", item(i), "Item " + i,
                mailServer.getSmtp().getServerSetup());
    }

    /** Written beside the folder and moved in, as a partner's upload that renames when complete. */
    private void dropFile(int i) throws Exception {
        Path partial = drop.resolve(item(i) + ".part");
        Files.writeString(partial, body(i), StandardCharsets.UTF_8);
        Files.move(partial, drop.resolve("orders").resolve(item(i) + ".json"), StandardCopyOption.ATOMIC_MOVE);
    }

    private void publishMqtt(int i) throws Exception {
        MqttProperties properties = new MqttProperties();
        properties.setContentType("application/json");
        properties.setUserProperties(List.of(new UserProperty("message-id", item(i))));
        synchronized (mqtt) {
            mqtt.publish(mqttPrefix + "orders", new MqttMessage(body(i).getBytes(StandardCharsets.UTF_8), 1, false,
                    properties));
        }
    }

    private void publishNats(int i) throws Exception {
        Headers headers = new Headers().add("Content-Type", "application/json").add("Nats-Msg-Id", item(i));
        jetStream.publish(NatsMessage.builder().subject(natsPrefix + ".orders").headers(headers)
                .data(body(i).getBytes(StandardCharsets.UTF_8)).build());
    }

    private static void endMqttSession(String clientId) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:1883", clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        client.connect(options);
        client.disconnect();
        client.close();
    }

    private interface Feed {
        void item(int i) throws Exception;
    }

    /** Feeds one source its items at a steady pace, across the kill (the sources do not die with the node). */
    private static final class Feeder extends Thread {
        private final String id;
        private final Feed feed;
        private final AtomicInteger fed = new AtomicInteger();
        private volatile Exception failure;

        Feeder(String id, Feed feed) {
            super("feed-" + id);
            this.id = id;
            this.feed = feed;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                long start = System.nanoTime();
                for (int i = 1; i <= ITEMS; i++) {
                    feed.item(i);
                    fed.incrementAndGet();
                    // A steady pace, not a sleep per item: a slow send does not slow the feed further.
                    long due = start + Duration.ofMillis(EVERY_MS * i).toNanos();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    private int count(String db, String sql) throws Exception {
        int[] value = new int[1];
        query(db, sql, rs -> value[0] = rs.getInt(1));
        return value[0];
    }

    private void execute(String db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(Databases.postgresDatabaseUrl(db), Databases.POSTGRES_USER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private interface Row {
        void read(ResultSet rs) throws Exception;
    }

    private void query(String db, String sql, Row row) throws Exception {
        try (Connection c = DriverManager.getConnection(Databases.postgresDatabaseUrl(db), Databases.POSTGRES_USER, "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
            }
        }
    }
}
