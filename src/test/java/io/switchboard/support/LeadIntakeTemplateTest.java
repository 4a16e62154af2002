package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * A template for an integration's test: copy it, rename it, point it at your integration.
 * It runs the real route file from routes/ against the sandbox and asserts on what the
 * systems hold and what the journal says, the outage case included.
 */
class LeadIntakeTemplateTest extends IntegrationTestSupport {

    @Test
    void leadReachesTheCrm() throws Exception {
        String email = "template." + UUID.randomUUID().toString().substring(0, 8) + "@lovelace-labs.io";
        String eventId = deliverAccepted("lead-intake",
                Map.of("submissionId", "tpl-" + UUID.randomUUID(), "email", email, "firstName", "Tem", "lastName", "Plate"));
        awaitStatus(eventId, "DONE");
        assertThat(admin().json("GET", "/sandbox/crm/contacts?email=" + email, null)).hasSize(1);
        assertThat(steps(eventId)).contains("crm-contact", "crm-task", "welcome-email", "team-chat");
    }

    @Test
    void crmOutageIsRetriedUntilItPasses() throws Exception {
        fault("{\"system\":\"crm\",\"status\":503,\"count\":2}"); // cleared when the test ends
        String eventId = deliverAccepted("lead-intake", Map.of("submissionId", "tpl-" + UUID.randomUUID(),
                "email", "outage." + UUID.randomUUID().toString().substring(0, 8) + "@lovelace-labs.io"));
        awaitStatus(eventId, "DONE");
        assertThat(steps(eventId)).contains("attempt-failed", "done");
        assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId))
                .isGreaterThan(1);
    }
}
