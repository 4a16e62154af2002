package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;

/**
 * What a test event emits is a test event downstream too: a test lead's lead.created follow-up
 * is marked as a test and never shows in lead-followup's live backlog, while a real lead's is real.
 */
class TestChainTest extends IntegrationTestSupport {

    @Test
    void aTestLeadsFollowUpIsATestEventAndARealLeadsIsReal() throws Exception {
        String submission = "chain-" + UUID.randomUUID();
        var sent = callAs("operator", "POST", "/api/integrations/lead-intake/test-events", json.writeValueAsString(
                Map.of("submissionId", submission, "email", "chain@analytical-engines.co.uk", "firstName", "Ada")));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String testLead = json.readTree(sent.body()).get("eventId").asText();
        awaitStatus(testLead, "DONE");
        String realLead = postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "real-" + submission,
                "email", "chain-real@analytical-engines.co.uk", "firstName", "Ada"));
        awaitStatus(realLead, "DONE");

        await().atMost(Duration.ofSeconds(10)).until(() -> followUps(testLead).size() == 1
                && followUps(realLead).size() == 1);
        assertThat(followUps(testLead)).containsExactly(true);
        assertThat(followUps(realLead)).containsExactly(false);
    }

    /** Whether each lead-followup event the lead emitted is a test event. */
    private List<Boolean> followUps(String leadEventId) {
        return jdbc.queryForList("select test_event from event where integration = 'lead-followup' and delivery_id = ?",
                Boolean.class, leadEventId + ":lead.created");
    }
}
