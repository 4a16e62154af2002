package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The harness signs a delivery for every webhook scheme in one call, the way the server
 * checks it: accepted once (202), a repeat under the same delivery id answered with the first
 * event (200), the delivery id stored with the event, and the same request signed with
 * another secret refused (401). The integrations are the test profile's probes.
 */
class DeliveriesTest extends IntegrationTestSupport {

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource(delimiter = '|', value = {
            "probe         | standard-webhooks         | {\"orderId\":\"o-1\"}",
            "probe-github  | github                    | {\"action\":\"opened\"}",
            "probe-stripe  | stripe                    | {\"type\":\"invoice.paid\"}",
            "probe-token   | api-key (X-Hook-Token)    | {\"note\":\"hello\"}"})
    void aSignedDeliveryOfEverySchemeIsAcceptedOnceAndAWrongSecretIsRefused(String integration, String scheme,
            String payload) throws Exception {
        String deliveryId = "dlv_" + UUID.randomUUID();

        Deliveries.Delivery first = deliver(integration, deliveryId, payload);
        Deliveries.Delivery repeat = deliver(integration, deliveryId, payload);

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.eventId()).isNotBlank();
        assertThat(repeat.status()).as(repeat.body()).isEqualTo(200);
        assertThat(repeat.eventId()).isEqualTo(first.eventId());
        assertThat(jdbc.queryForObject("select delivery_id from event where id = ?", String.class, first.eventId()))
                .isEqualTo(deliveryId);

        String card = scheme.split(" ")[0];
        String other = "dlv_" + UUID.randomUUID();
        String body = card.equals("stripe") ? "{\"id\":\"" + other + "\"}" : payload;
        HttpResponse<String> forged = deliveries().send(Deliveries.signed(deliveries().request(integration, body),
                card, card.equals("standard-webhooks") ? "whsec_bm90LXRoZS1zZWNyZXQ=" : "not-the-secret",
                "X-Hook-Token", other, body));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
    }
}
