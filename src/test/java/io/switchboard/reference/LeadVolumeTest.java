package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A burst of leads (5,000 by default; -Dswitchboard.test.lead-volume=N to change) with
 * the CRM's limit just above the connection's: none lost, none doubled, and the CRM never
 * had to answer 429 because the connection kept under its limit.
 */
@SwitchboardTest
class LeadVolumeTest {

    static final int LEADS = Integer.getInteger("switchboard.test.lead-volume", 5000);

    @LocalServerPort
    int port;

    @Autowired
    InboxStore inbox;

    @Autowired
    InboxSignal signal;

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void clearFaults() throws Exception {
        admin("DELETE", "/sandbox/faults", null);
    }

    @Test
    void burstOfLeadsEndsWithOneContactTaskEmailAndMessageEachWithinTheCrmLimit() throws Exception {
        // The connection allows 500 requests/s (test override); the CRM refuses beyond 550.
        admin("POST", "/sandbox/faults", "{\"system\":\"crm\",\"rateLimit\":550}");
        String batch = "vol" + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        for (int i = 0; i < LEADS; i++) {
            inbox.enqueue("lead-intake", batch + "-" + i, "{\"submissionId\":\"" + batch + "-" + i + "\",\"email\":\""
                    + batch + "." + i + "@volume-test.io\",\"firstName\":\"Lead\",\"lastName\":\"" + i + "\"}");
        }
        signal.wake("lead-intake");
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).until(() ->
                count("select count(*) from event where integration = 'lead-intake' and delivery_id like ? "
                        + "and status in ('DONE', 'DEAD')", batch + "-%") == LEADS);
        long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);

        String emails = batch + ".%";
        assertThat(count("select count(*) from event where integration = 'lead-intake' and delivery_id like ? "
                + "and status = 'DONE'", batch + "-%")).isEqualTo(LEADS);
        assertThat(count("select count(*) from sandbox_crm_contact where email like ?", emails)).isEqualTo(LEADS);
        assertThat(count("select count(distinct email) from sandbox_crm_contact where email like ?", emails))
                .isEqualTo(LEADS);
        assertThat(count("select count(*) from sandbox_crm_task t join sandbox_crm_contact c on c.id = t.contact_id "
                + "where c.email like ? and t.title like 'Call new lead%'", emails)).isEqualTo(LEADS);
        assertThat(count("select count(*) from sandbox_mail_message where recipient like ?", emails)).isEqualTo(LEADS);
        assertThat(count("select count(*) from event_step s join event e on e.id = s.event_id where "
                + "e.delivery_id like ? and s.step = 'team-chat'", batch + "-%")).isEqualTo(LEADS);
        assertThat(count("select count(*) from event_step s join event e on e.id = s.event_id where "
                + "e.delivery_id like ? and s.detail like '%rate-limited%'", batch + "-%")).isZero();
        System.out.printf("lead volume: %d leads to CRM contact, task, e-mail and chat in %d s (%d leads/s)%n",
                LEADS, seconds, LEADS / seconds);

        // Each lead.created reached lead-followup through the inbox; let them finish, so none is lost
        // and no later test shares the CRM with thousands of follow-ups.
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).until(() ->
                count("select count(*) from event where integration = 'lead-followup' and payload like ? "
                        + "and status in ('DONE', 'DEAD')", "%\"" + batch + "-%") == LEADS
                        && count("select count(*) from inbox where integration = 'lead-followup'") == 0);
        assertThat(count("select count(*) from sandbox_crm_task t join sandbox_crm_contact c on c.id = t.contact_id "
                + "where c.email like ? and t.title like 'Follow up%'", emails)).isEqualTo(LEADS);
    }

    private int count(String sql, Object... args) {
        Integer n = jdbc.queryForObject(sql, Integer.class, args);
        return n == null ? 0 : n;
    }

    private void admin(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", TestUsers.basic(TestUsers.ADMIN))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
    }
}
