package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The scheduled example of {@code src/docs/writing-integrations.md}: once a day, one chat
 * line on the billing customers with open invoices. The test starts runs itself through
 * {@code direct:billing-digest}, as the schedule does.
 */
class BillingDigestExampleTest extends IntegrationTestSupport {

    @Autowired
    ProducerTemplate camel;

    @BeforeEach
    void forgetTodaysDigest() {
        // Every test of this class runs on the same day: each starts as if no digest went out yet.
        jdbc.update("delete from camel_messageprocessed where processor_name = 'billing-digest'");
    }

    @Test
    void aRunPostsOneLineCountingTheCustomersWithOpenInvoices() throws Exception {
        JsonNode customers = asAdmin("GET", "/sandbox/billing/customers", null);
        int owing = 0;
        long invoices = 0;
        long cents = 0;
        for (JsonNode customer : customers) {
            if (customer.get("openInvoices").asInt() > 0) {
                owing++;
                invoices += customer.get("openInvoices").asLong();
                cents += customer.get("balanceCents").asLong();
            }
        }
        String expected = "Billing today: " + owing + " customers with open invoices, " + invoices + " invoices, "
                + cents + " cents outstanding";
        int before = chatsContaining(expected).size();

        camel.sendBody("direct:billing-digest", null);

        assertThat(chatsContaining(expected)).hasSize(before + 1);
    }

    @Test
    void aSecondRunTheSameDayPostsNothing() throws Exception {
        camel.sendBody("direct:billing-digest", null);
        int digests = chatsContaining("Billing today:").size();
        camel.sendBody("direct:billing-digest", null);
        assertThat(chatsContaining("Billing today:")).hasSize(digests);
    }

    @Test
    void aBillingOutageFailsTheRunWithADeadLetterAndTheNextRunPosts() throws Exception {
        int digests = chatsContaining("Billing today:").size();
        fault("{\"system\":\"billing\",\"status\":503,\"count\":1}");
        int parked = deadLetters();

        camel.sendBody("direct:billing-digest", null);

        assertThat(deadLetters()).as("a dead letter parked (or counted) for the failed run").isEqualTo(parked + 1);
        assertThat(jdbc.queryForList("select category from dead_letter where integration = 'billing-digest'",
                String.class)).contains("transient");
        assertThat(chatsContaining("Billing today:")).hasSize(digests);
        camel.sendBody("direct:billing-digest", null);
        assertThat(chatsContaining("Billing today:")).hasSize(digests + 1);
    }

    @Test
    void theRouteFileIsTheOneTheDocsShow() throws Exception {
        assertDocsShowRouteFile("billing-digest.camel.yaml");
    }

    private int deadLetters() {
        List<Integer> counts = jdbc.queryForList("select attempts from dead_letter where integration = 'billing-digest'",
                Integer.class);
        return counts.stream().mapToInt(Integer::intValue).sum();
    }
}
