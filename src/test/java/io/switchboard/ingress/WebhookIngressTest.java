package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.ProbeTarget;
import io.switchboard.support.EventStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** POST /webhooks/{integration}: authenticated, checked, stored before the 202, de-duplicated. */
@SwitchboardTest
class WebhookIngressTest {

    static final String NEW_SECRET = "whsec_bmV3LXByb2JlLXNlY3JldA==";
    static final String OLD_SECRET = "whsec_b2xkLXByb2JlLXNlY3JldA==";
    static final String VALID = "{\"orderId\":\"o-1\"}";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ProbeTarget probe;

    private final ObjectMapper json = new ObjectMapper();
    private Webhooks webhooks;

    @BeforeEach
    void setUp() {
        webhooks = new Webhooks(port);
        probe.reset();
    }

    @Test
    void signedWebhookIsStoredAnswered202AndProcessed() throws Exception {
        HttpResponse<String> response = webhooks.postSigned("probe", NEW_SECRET, VALID);
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json.readTree(response.body()).get("eventId").asText();
        assertThat(jdbc.queryForObject("select count(*) from event where id = ?", Integer.class, eventId)).isOne();
        awaitStatus(eventId, "DONE");
        assertThat(probe.processed()).containsOnlyOnce(eventId);
        assertThat(steps(eventId)).startsWith("received").endsWith("done");
    }

    @Test
    void theRouteSeesTheSendersHeadersButNoCredentialOrTransportHeader() throws Exception {
        String deliveryId = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> response = webhooks.send(webhooks.request("probe", VALID)
                .header("webhook-id", deliveryId).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", Webhooks.sign(NEW_SECRET, deliveryId, now, VALID))
                .header("X-Sender-Event", "order.created")
                .header("X-Sender-Token", "not-for-the-route"));
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json.readTree(response.body()).get("eventId").asText();
        awaitStatus(eventId, "DONE");
        assertThat(probe.headersOf(eventId))
                .containsEntry("x-sender-event", "order.created")
                .containsEntry("webhook-id", deliveryId)
                .containsEntry("SwitchboardEventId", eventId)
                .doesNotContainKeys("webhook-signature", "x-sender-token", "content-length", "host");
    }

    @Test
    void gitHubAndStripeDeliveriesMustCarryTheirDeliveryIds() throws Exception {
        String body = "{\"action\":\"opened\"}";
        var noDelivery = webhooks.send(webhooks.request("probe-github", body)
                .header("X-Hub-Signature-256", "sha256=" + hmacHex("github-probe-secret", body)));
        assertThat(noDelivery.statusCode()).isEqualTo(400);
        assertThat(noDelivery.body()).contains("X-GitHub-Delivery");
        long t = Instant.now().getEpochSecond();
        String noId = "{\"type\":\"invoice.paid\"}";
        var stripe = webhooks.send(webhooks.request("probe-stripe", noId).header("Stripe-Signature",
                "t=" + t + ",v1=" + hmacHex("whsec_stripe_probe_secret", t + "." + noId)));
        assertThat(stripe.statusCode()).isEqualTo(400);
        assertThat(stripe.body()).contains("'id'");
    }

    @Test
    void secretBeingRotatedOutIsStillAccepted() throws Exception {
        assertThat(webhooks.postSigned("probe", OLD_SECRET, VALID).statusCode()).isEqualTo(202);
    }

    @Test
    void duplicateDeliveryAnswers200WithTheFirstEventAndIsProcessedOnce() throws Exception {
        String deliveryId = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> first = webhooks.postSigned("probe", NEW_SECRET, deliveryId, now, VALID);
        HttpResponse<String> second = webhooks.postSigned("probe", NEW_SECRET, deliveryId, now, VALID);
        HttpResponse<String> third = webhooks.postSigned("probe", NEW_SECRET, deliveryId, now + 1, VALID);
        assertThat(first.statusCode()).isEqualTo(202);
        String eventId = json.readTree(first.body()).get("eventId").asText();
        for (HttpResponse<String> repeat : List.of(second, third)) {
            assertThat(repeat.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(repeat.body());
            assertThat(body.get("eventId").asText()).isEqualTo(eventId);
            assertThat(body.get("duplicate").asBoolean()).isTrue();
        }
        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select count(*) from event where delivery_id = ?", Integer.class, deliveryId))
                .isOne();
        assertThat(probe.processed()).containsOnlyOnce(eventId);
    }

    @Test
    void eachBadInputGetsItsStatusAndStoresNothing() throws Exception {
        long now = Instant.now().getEpochSecond();
        String id = "msg_" + UUID.randomUUID();
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"unknown integration", webhooks.postSigned("no-such-thing", NEW_SECRET, VALID), 404,
                "no-such-thing"});
        cases.add(new Object[] {"no signature", webhooks.send(webhooks.request("probe", VALID)
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))), 401, "webhook-signature"});
        cases.add(new Object[] {"wrong secret", webhooks.postSigned("probe", "whsec_" + Base64.getEncoder()
                .encodeToString("someone-else".getBytes()), VALID), 401, "No webhook-signature matches"});
        cases.add(new Object[] {"body changed after signing", webhooks.send(webhooks.request("probe", "{\"orderId\":\"o-2\"}")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", Webhooks.sign(NEW_SECRET, id, now, VALID))), 401, "No webhook-signature"});
        cases.add(new Object[] {"stale timestamp", webhooks.postSigned("probe", NEW_SECRET, id, now - 400, VALID), 401,
                "in the past"});
        cases.add(new Object[] {"future timestamp", webhooks.postSigned("probe", NEW_SECRET, id, now + 400, VALID), 401,
                "in the future"});
        cases.add(new Object[] {"not JSON", webhooks.send(webhooks.request("probe", VALID)
                .setHeader("Content-Type", "text/plain")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", Webhooks.sign(NEW_SECRET, id, now, VALID))), 415, "application/json"});
        cases.add(new Object[] {"malformed JSON", webhooks.postSigned("probe", NEW_SECRET, "{\"orderId\": \"o-1\",,}"),
                400, "line 1, column"});
        cases.add(new Object[] {"required field missing", webhooks.postSigned("probe", NEW_SECRET, "{\"other\":1}"), 400,
                "orderId"});
        cases.add(new Object[] {"too large", webhooks.postSigned("probe", NEW_SECRET,
                "{\"orderId\":\"" + "x".repeat(3000) + "\"}"), 413, "2048 bytes"});
        int before = jdbc.queryForObject("select count(*) from event", Integer.class);
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            HttpResponse<String> response = (HttpResponse<String>) c[1];
            assertThat(response.statusCode()).as((String) c[0]).isEqualTo(c[2]);
            assertThat(response.headers().firstValue("Content-Type")).as((String) c[0])
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json.readTree(response.body()).get("detail").asText()).as((String) c[0]).contains((String) c[3]);
            assertThat(response.body()).as((String) c[0]).doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("bmV3LXByb2JlLXNlY3JldA").doesNotContain("b2xkLXByb2JlLXNlY3JldA");
        }
        assertThat(jdbc.queryForObject("select count(*) from event", Integer.class)).isEqualTo(before);
    }

    @Test
    void inboundRateLimitAnswers429WithRetryAfter() throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(webhooks.send(webhooks.request("probe-limited", "{\"n\":" + i + "}")
                    .header("X-Api-Key", "probe-api-key")));
        }
        assertThat(responses).extracting(HttpResponse::statusCode).contains(202, 429);
        HttpResponse<String> limited = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
    }

    @Test
    void apiKeySchemeRefusesAMissingOrWrongKey() throws Exception {
        var missing = webhooks.send(webhooks.request("probe-limited", "{}"));
        assertThat(missing.statusCode()).isIn(401, 429);
        if (missing.statusCode() == 401) {
            assertThat(missing.body()).contains("X-Api-Key");
        }
    }

    @Test
    void gitHubSignatureIsCheckedOnTheRawBody() throws Exception {
        String body = "{\"action\":\"opened\"}";
        String delivery = UUID.randomUUID().toString();
        var ok = webhooks.send(webhooks.request("probe-github", body)
                .header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + hmacHex("github-probe-secret", body)));
        assertThat(ok.statusCode()).isEqualTo(202);
        var again = webhooks.send(webhooks.request("probe-github", body)
                .header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + hmacHex("github-probe-secret", body)));
        assertThat(again.statusCode()).isEqualTo(200);
        var wrong = webhooks.send(webhooks.request("probe-github", body)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + hmacHex("not-the-secret", body)));
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    @Test
    void stripeSignatureWithTimestampIsChecked() throws Exception {
        String body = "{\"id\":\"evt_" + UUID.randomUUID() + "\",\"type\":\"invoice.paid\"}";
        long t = Instant.now().getEpochSecond();
        var ok = webhooks.send(webhooks.request("probe-stripe", body).header("Stripe-Signature",
                "t=" + t + ",v1=" + hmacHex("whsec_stripe_probe_secret", t + "." + body)));
        assertThat(ok.statusCode()).isEqualTo(202);
        var replayed = webhooks.send(webhooks.request("probe-stripe", body).header("Stripe-Signature",
                "t=" + t + ",v1=" + hmacHex("whsec_stripe_probe_secret", t + "." + body)));
        assertThat(replayed.statusCode()).isEqualTo(200);
        long stale = t - 400;
        var old = webhooks.send(webhooks.request("probe-stripe", body).header("Stripe-Signature",
                "t=" + stale + ",v1=" + hmacHex("whsec_stripe_probe_secret", stale + "." + body)));
        assertThat(old.statusCode()).isEqualTo(401);
        assertThat(old.body()).contains("tolerance");
    }

    private void awaitStatus(String eventId, String status) {
        EventStatus.await(jdbc, eventId, status, Duration.ofSeconds(20));
    }

    private List<String> steps(String eventId) {
        return jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId);
    }

    static String hmacHex(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
