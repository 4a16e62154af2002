package io.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.ingress.Webhooks;
import io.switchboard.storage.Databases;
import io.switchboard.support.ChatConnect;
import io.switchboard.support.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three server processes on one PostgreSQL database, in the cluster profile. Leads go to
 * all three while a schedule ticks every two seconds; one node is killed with SIGKILL mid-run
 * and started again. Every lead answered 202 must end DONE exactly once, every tick must
 * fire once, the survivors must take over the dead node's events within the lease, and the
 * failover must park nothing.
 */
class ClusterIT {

    static final int LEADS = Integer.getInteger("switchboard.test.cluster-leads", 2000);
    static final String SECRET = "whsec_Y2x1c3Rlci10ZXN0LXNlY3JldA==";
    static final Duration LEASE = Duration.ofSeconds(10);
    static final Duration CHAT_TOKEN_TTL = Duration.ofSeconds(4);
    static final Duration CHAT_REFRESH_BEFORE = Duration.ofSeconds(1);

    private final List<ServerProcess> nodes = new ArrayList<>();
    private String database;
    private Path logs;

    @AfterEach
    void stopEverything() throws Exception {
        for (ServerProcess node : nodes) {
            node.stop();
        }
        if (database != null) {
            Databases.dropPostgresDatabase(database);
        }
    }

    @Test
    void threeNodesSurviveAKillWithEveryEventDoneOnceAndEveryTickFiredOnce() throws Exception {
        // A database of its own: three nodes seeding the sandbox must not meet other tests' rows.
        database = Databases.newPostgresDatabase("cluster");
        logs = Files.createDirectories(Path.of("target", "cluster-it"));
        for (int i = 1; i <= 3; i++) {
            nodes.add(node("node-" + i));
        }
        nodes.forEach(ServerProcess::start);
        for (ServerProcess node : nodes) {
            node.awaitReady(Duration.ofMinutes(3));
        }
        // An operator connects the team chat once, on one node; every node then uses that grant.
        ChatConnect.connect(nodes.get(0).baseUrl(), "chat", "admin",
                "cluster-admin-password");
        Instant connectedAt = Instant.now();

        ObjectMapper json = new ObjectMapper();
        Map<String, String> accepted = new ConcurrentHashMap<>();
        String batch = "c" + UUID.randomUUID().toString().substring(0, 8);
        ServerProcess victim = nodes.get(1);
        Instant killedAt = null;
        ExecutorService senders = Executors.newFixedThreadPool(6);
        try {
            for (int i = 0; i < LEADS; i++) {
                if (i == LEADS / 3) {
                    senders.shutdown();
                    senders.awaitTermination(2, TimeUnit.MINUTES);
                    senders = Executors.newFixedThreadPool(6);
                    killedAt = Instant.now();
                    victim.kill();
                }
                int n = i;
                List<ServerProcess> up = nodes.stream().filter(ServerProcess::alive).toList();
                ServerProcess target = up.get(n % up.size());
                senders.submit(() -> {
                    String submission = batch + "-" + n;
                    String body = "{\"submissionId\":\"" + submission + "\",\"email\":\"" + submission
                            + "@cluster-test.io\",\"firstName\":\"Node\",\"lastName\":\"Test\"}";
                    try {
                        HttpResponse<String> response = new Webhooks(target.port()).postSigned("lead-intake", SECRET, body);
                        if (response.statusCode() == 202) {
                            accepted.put(submission, json.readTree(response.body()).get("eventId").asText());
                        }
                    } catch (Exception refused) {
                        // a sender whose node is gone retries elsewhere; this test only counts 202s
                    }
                });
            }
        } finally {
            senders.shutdown();
            senders.awaitTermination(5, TimeUnit.MINUTES);
        }
        victim.start();
        victim.awaitReady(Duration.ofMinutes(3));

        await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(3)).until(() ->
                count("select count(*) from event where integration = 'lead-intake' and delivery_id is not null "
                        + "and status = 'DONE' and payload like '%" + batch + "-%'") >= accepted.size()
                        && count("select count(*) from inbox where integration = 'lead-intake'") == 0);

        int done = count("select count(*) from event where integration = 'lead-intake' and status = 'DONE' "
                + "and payload like '%" + batch + "-%'");
        Set<String> doneIds = Set.copyOf(strings("select id from event where integration = 'lead-intake' "
                + "and status = 'DONE' and payload like '%" + batch + "-%'"));
        int lost = (int) accepted.values().stream().filter(id -> !doneIds.contains(id)).count();
        int duplicateContacts = count("select count(*) from (select email from sandbox_crm_contact where email like '"
                + batch + "-%' group by email having count(*) > 1) d");
        int contacts = count("select count(*) from sandbox_crm_contact where email like '" + batch + "-%'");
        int duplicateTasks = count("select count(*) from (select t.contact_id from sandbox_crm_task t join "
                + "sandbox_crm_contact c on c.id = t.contact_id where c.email like '" + batch + "-%' and t.title like "
                + "'Call new lead%' group by t.contact_id having count(*) > 1) d");
        int tasks = count("select count(*) from sandbox_crm_task t join sandbox_crm_contact c on c.id = t.contact_id "
                + "where c.email like '" + batch + "-%' and t.title like 'Call new lead%'");
        int duplicateMails = count("select count(*) from (select recipient from sandbox_mail_message where recipient "
                + "like '" + batch + "-%' group by recipient having count(*) > 1) d");
        int mails = count("select count(*) from sandbox_mail_message where recipient like '" + batch + "-%'");
        int chats = count("select count(*) from sandbox_chat_message where message_text like '%<" + batch + "-%'");
        int duplicateChats = count("select count(*) from (select message_text from sandbox_chat_message where "
                + "message_text like '%<" + batch + "-%' group by message_text having count(*) > 1) d");
        long chatSeconds = Duration.between(connectedAt, Instant.now()).toSeconds();
        int refreshes = count("select refreshes from connection_authorization where connection = 'chat'");
        int revokedChatTokens = count("select count(*) from sandbox_refresh_token where revoked");
        int chatFamilyTokens = count("select count(*) from sandbox_refresh_token");
        int deadLetters = count("select count(*) from dead_letter");
        int ticks = count("select count(*) from cluster_tick");
        int doubleTicks = count("select count(*) from (select scheduled_fire_time from cluster_tick group by "
                + "scheduled_fire_time having count(*) > 1) d");
        List<String> tickNodes = strings("select distinct node_id from cluster_tick");
        Timestamp lastTakeover = timestamp("select max(e.finished_at) from event e where e.payload like '%" + batch
                + "-%' and e.status = 'DONE' and e.attempts > 1 and not exists (select 1 from event_step s where "
                + "s.event_id = e.id and s.step = 'attempt-failed')");
        int takeovers = count("select count(*) from event e where e.payload like '%" + batch + "-%' and e.attempts > 1 "
                + "and not exists (select 1 from event_step s where s.event_id = e.id and s.step = 'attempt-failed')");
        long takeoverSeconds = lastTakeover == null ? 0
                : Duration.between(killedAt, lastTakeover.toInstant()).toSeconds();

        System.out.printf("cluster: events=%d accepted=%d done=%d nodes=3 kills=1 lost=%d duplicates=%d "
                        + "contacts=%d tasks=%d mails=%d deadLetters=%d ticks=%d doubleTicks=%d tickNodes=%s "
                        + "takeovers=%d lastTakeoverAfterKill=%ds lease=%ds%n",
                LEADS, accepted.size(), done, lost, duplicateContacts + duplicateTasks + duplicateMails, contacts, tasks,
                mails, deadLetters, ticks, doubleTicks, tickNodes, takeovers, takeoverSeconds, LEASE.toSeconds());
        System.out.printf("cluster chat: messages=%d duplicates=%d refreshes=%d in %ds (token ttl %ds, refreshed %ds "
                        + "before expiry) refreshTokens=%d revoked=%d%n", chats, duplicateChats, refreshes, chatSeconds,
                CHAT_TOKEN_TTL.toSeconds(), CHAT_REFRESH_BEFORE.toSeconds(), chatFamilyTokens, revokedChatTokens);

        assertThat(accepted.size()).isGreaterThan(LEADS / 2);
        assertThat(lost).isZero();
        assertThat(duplicateContacts).isZero();
        assertThat(duplicateTasks).isZero();
        assertThat(duplicateMails).isZero();
        assertThat(contacts).isGreaterThanOrEqualTo(accepted.size());
        assertThat(tasks).isEqualTo(contacts);
        assertThat(mails).isEqualTo(contacts);
        assertThat(deadLetters).isZero();
        // Every lead's chat message arrived. The chat API (like Slack's chat.postMessage) takes no
        // idempotency key, so a node killed after posting and before recording the step repeats it
        // on takeover: at most once per event it had in hand, never for any other event.
        assertThat(chats - duplicateChats).isEqualTo(contacts);
        assertThat(duplicateChats).isLessThanOrEqualTo(takeovers);
        // One refresh per expiry across the nodes: a token lives ttl and is renewed refresh-before its end,
        // so two refreshes are at least ttl - refresh-before apart, whichever node does them. A second node
        // refreshing with the same (rotated) refresh token would have revoked the grant.
        assertThat(refreshes).isPositive();
        assertThat(refreshes).isLessThanOrEqualTo(
                (int) (chatSeconds / CHAT_TOKEN_TTL.minus(CHAT_REFRESH_BEFORE).toSeconds()) + 1);
        assertThat(chatFamilyTokens).isEqualTo(refreshes + 1);
        assertThat(revokedChatTokens).isZero();
        assertThat(doubleTicks).isZero();
        assertThat(ticks).isPositive();
        if (takeovers > 0) {
            // Taken again once the lease ran out, then processed in the queue behind the rest.
            assertThat(takeoverSeconds).isLessThan(LEASE.toSeconds() + 120);
        }
    }

    private int count(String sql) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private List<String> strings(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private Timestamp timestamp(String sql) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private Connection db() throws Exception {
        return DriverManager.getConnection(Databases.postgresDatabaseUrl(database), Databases.POSTGRES_USER, "");
    }

    /** One node: the cluster profile on the test's database, with the chat's short-lived tokens. */
    private ServerProcess node(String id) {
        List<String> arguments = List.of(
                "--spring.profiles.active=cluster",
                "--spring.datasource.url=" + Databases.postgresDatabaseUrl(database),
                "--spring.datasource.username=" + Databases.POSTGRES_USER,
                "--spring.datasource.password=",
                "--switchboard.node-id=" + id,
                "--switchboard.cluster.heartbeat=2s",
                "--switchboard.security.admin.password=cluster-admin-password",
                "--switchboard.sandbox.enabled=true",
                "--switchboard.sandbox.crm.client-id=cluster-crm",
                "--switchboard.sandbox.crm.client-secret=cluster-crm-secret",
                "--switchboard.sandbox.crm.rate-limit=0",
                "--switchboard.sandbox.mail.api-key=cluster-mail-key",
                "--switchboard.sandbox.billing.api-key=cluster-billing-key",
                "--switchboard.sandbox.chat.token=cluster-chat-token",
                // The chat is a connected app; its access tokens live seconds, so the run sees
                // many refreshes, each of which must happen once across the three nodes.
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.name=Switchboard (cluster)",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.secret=cluster-chat-app-secret",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.redirect-uris=http://localhost/oauth2/callback/chat",
                "--switchboard.sandbox.oauth.apps.switchboard-chat-app.scopes=chat:write",
                "--switchboard.sandbox.oauth.access-token-ttl=" + CHAT_TOKEN_TTL.toSeconds() + "s",
                "--switchboard.connections.chat.auth.refresh-before=" + CHAT_REFRESH_BEFORE.toSeconds() + "s",
                "--switchboard.connections.crm.rate-limit=300",
                "--switchboard.connections.mail.rate-limit=300",
                "--switchboard.connections.chat.rate-limit=300",
                "--switchboard.integrations.lead-intake.inbox.lease=" + LEASE.toSeconds() + "s",
                "--switchboard.integrations.lead-intake.webhook.rate-limit=0",
                "--switchboard.integrations.lead-followup.event.delay=1s",
                "--camel.main.routes-include-pattern=file:routes/*.camel.yaml,classpath:cluster-routes/*.camel.yaml");
        Map<String, String> environment = Map.of(
                "LEAD_INTAKE_WEBHOOK_SECRET", SECRET,
                "CRM_CLIENT_ID", "cluster-crm",
                "CRM_CLIENT_SECRET", "cluster-crm-secret",
                "MAIL_API_KEY", "cluster-mail-key",
                "BILLING_API_KEY", "cluster-billing-key",
                "CHAT_WEBHOOK_TOKEN", "cluster-chat-token",
                "CHAT_CLIENT_ID", "switchboard-chat-app",
                "CHAT_CLIENT_SECRET", "cluster-chat-app-secret",
                "SWITCHBOARD_ENCRYPTION_KEY", "Y2x1c3Rlci10ZXN0LXRva2VuLWtleS0zMi1ieXRlcyE=");
        return new ServerProcess(id, logs, arguments, environment);
    }
}
