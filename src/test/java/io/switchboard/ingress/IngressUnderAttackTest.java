package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.SwitchboardTest;
import io.switchboard.security.TestLogins;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The red team's ingress findings, reproduced: a thousand bodies sent a byte at a time, and
 * an unsigned flood beside a real sender. Each attacker has a loopback address of its own
 * (127.0.0.2, 127.0.0.3), as it would have on the internet.
 */
@SwitchboardTest
class IngressUnderAttackTest {

    private static final String RATED_SECRET = "whsec_cmF0ZWQtcHJvYmUtc2VjcmV0";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void aThousandSlowBodiesStarveNeitherHealthNorOtherSendersAndEachGets408() throws Exception {
        int before = events("lead-intake");
        byte[] body = new byte[60_000];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        List<RawClient> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                RawClient client = new RawClient("127.0.0.3", port);
                slow.add(client);
                client.start("/webhooks/lead-intake", Map.of("Content-Type", "application/json"), body, 1);
            }
            for (RawClient client : slow) {
                // Starting 1,000 clients can itself take seconds on a busy machine: a client past
                // the 5 s body deadline may rightly have its 408 already; none may have it sooner.
                if (client.sinceStart().compareTo(Duration.ofSeconds(4)) < 0) {
                    assertThat(client.answered()).as("a slow body is not answered before its deadline").isFalse();
                }
            }
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/actuator/health")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            }
            long started = System.nanoTime();
            HttpResponse<String> signed = new Webhooks(port).postSigned("probe", WebhookIngressTest.NEW_SECRET,
                    WebhookIngressTest.VALID);
            assertThat(signed.statusCode()).isEqualTo(202);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

            // Past the body deadline (5 s) every slow sender is answered 408.
            for (RawClient client : slow) {
                assertThat(client.status()).isEqualTo(408);
            }
        } finally {
            for (RawClient client : slow) {
                client.close();
            }
        }
        assertThat(events("lead-intake")).as("nothing stored").isEqualTo(before);
    }

    @Test
    void unsignedFloodFromAnotherAddressDoesNotUseUpTheIntegrationsRateLimit() throws Exception {
        Map<Integer, AtomicInteger> floodAnswers = new ConcurrentHashMap<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        ExecutorService flood = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            flood.submit(() -> {
                while (flooding.get()) {
                    try (RawClient client = new RawClient("127.0.0.2", port)) {
                        while (flooding.get()) {
                            int status = client.post("/webhooks/probe-rated", Map.of("Content-Type", "application/json"),
                                    "{}".getBytes(StandardCharsets.UTF_8));
                            floodAnswers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        }
                    } catch (IOException closed) {
                        // the server closed this connection: open another one
                    }
                }
                return null;
            });
        }
        List<Integer> signed = new CopyOnWriteArrayList<>();
        Webhooks webhooks = new Webhooks(port);
        // A real sender's pace: one delivery every 100 ms, well under the integration's 50/s.
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger sent = new AtomicInteger();
            sender.scheduleAtFixedRate(() -> {
                int n = sent.getAndIncrement();
                if (n < 22) {
                    try {
                        signed.add(webhooks.postSigned("probe-rated", RATED_SECRET, "{\"n\":" + n + "}").statusCode());
                    } catch (Exception failed) {
                        signed.add(-1);
                    }
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> signed.size() == 22);
            // However slow this machine, the flood goes on until its address has been slowed down.
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> floodAnswers.containsKey(429));
        } finally {
            sender.shutdownNow();
            flooding.set(false);
            flood.shutdown();
            assertThat(flood.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(signed).hasSize(22).containsOnly(202);
        assertThat(floodAnswers).as(floodAnswers.toString()).containsKey(401);
        assertThat(floodAnswers.getOrDefault(429, new AtomicInteger()).get())
                .as("the flooding address is slowed down on its own: " + floodAnswers).isPositive();
    }

    @Test
    void credentialHeadersAreMaskedInTheStoreAndTheJournal() throws Exception {
        Webhooks webhooks = new Webhooks(port);
        String idempotencyKey = "idem-" + UUID.randomUUID();
        HttpResponse<String> accepted = webhooks.send(webhooks.request("probe-token", "{\"a\":1}")
                .header("X-Hook-Token", "probe-hook-token-secret")
                .header("X-Auth-Token", "auth-token-value")
                .header("Private-Token", "private-token-value")
                .header("Api-Key", "api-key-value")
                .header("X-Webhook-Secret", "webhook-secret-value")
                .header("X-Session-Id", "session-value")
                .header("Idempotency-Key", idempotencyKey)
                .header("X-Request-Id", "request-42"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        String eventId = accepted.body().replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1");
        String stored = jdbc.queryForObject("select headers from event where id = ?", String.class, eventId);
        HttpResponse<String> shown = http.send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/api/events/" + eventId))
                .header("Authorization", TestLogins.VIEWER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(shown.statusCode()).isEqualTo(200);
        for (String text : List.of(stored, shown.body())) {
            assertThat(text).doesNotContain("probe-hook-token-secret").doesNotContain("auth-token-value")
                    .doesNotContain("private-token-value").doesNotContain("api-key-value")
                    .doesNotContain("webhook-secret-value").doesNotContain("session-value")
                    .contains(idempotencyKey).contains("request-42").contains("***");
        }
    }

    @Test
    void nulInAFieldIsRefusedWith400AndNothingStored() throws Exception {
        int before = events("probe");
        HttpResponse<String> response = new Webhooks(port).postSigned("probe", WebhookIngressTest.NEW_SECRET,
                "{\"orderId\":\"o-\\u0000-1\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("NUL");
        assertThat(new Webhooks(port).postSigned("probe", WebhookIngressTest.NEW_SECRET,
                "{\"orderId\":\"o-\\\\u0000-2\"}").statusCode()).as("an escaped backslash is not a NUL").isEqualTo(202);
        assertThat(events("probe")).isEqualTo(before + 1);
    }

    @Test
    void timestampsFarInThePastDoNotOverflowIntoAcceptance() throws Exception {
        long now = Instant.now().getEpochSecond();
        long overflowing = now - Long.MAX_VALUE - 1; // now - 2^63
        Webhooks webhooks = new Webhooks(port);
        String body = WebhookIngressTest.VALID;
        HttpResponse<String> standard = webhooks.postSigned("probe", WebhookIngressTest.NEW_SECRET,
                "msg_" + UUID.randomUUID(), overflowing, body);
        assertThat(standard.statusCode()).isEqualTo(401);
        assertThat(standard.body()).contains("in the past");
        String stripeBody = "{\"id\":\"evt_" + UUID.randomUUID() + "\"}";
        for (long t : new long[] {overflowing, Long.MIN_VALUE, Long.MAX_VALUE}) {
            HttpResponse<String> stripe = webhooks.send(webhooks.request("probe-stripe", stripeBody).header(
                    "Stripe-Signature", "t=" + t + ",v1="
                            + WebhookIngressTest.hmacHex("whsec_stripe_probe_secret", t + "." + stripeBody)));
            assertThat(stripe.statusCode()).as("t=" + t).isEqualTo(401);
        }
    }

    private int events(String integration) {
        return jdbc.queryForObject("select count(*) from event where integration = ?", Integer.class, integration);
    }
}
