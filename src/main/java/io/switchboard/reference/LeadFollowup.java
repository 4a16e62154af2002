package io.switchboard.reference;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** The follow-up's decisions, called from {@code routes/lead-followup.camel.yaml}. */
@Component("leadFollowup")
public class LeadFollowup {

    /** Title prefix of the task lead-intake creates; it is not activity by a person. */
    static final String INTAKE_TASK_PREFIX = "Call new lead";

    private final ObjectMapper json;
    private final Clock clock;

    public LeadFollowup(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    /**
     * Whether someone already acted on the contact: any task beyond the intake call task
     * (a logged call, a meeting, an earlier follow-up) counts as activity.
     */
    public boolean hasActivity(Exchange exchange) throws JsonProcessingException {
        List<Map<String, Object>> tasks = json.readValue(exchange.getMessage().getBody(String.class), List.class);
        return tasks.stream().anyMatch(task -> {
            Object title = task.get("title");
            return title == null || !title.toString().startsWith(INTAKE_TASK_PREFIX);
        });
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> taskRequest(Exchange exchange) {
        Map<String, Object> lead = exchange.getProperty(LeadIntake.LEAD, Map.class);
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("contactId", lead.get("contactId"));
        task.put("ownerId", lead.get("ownerId"));
        task.put("title", "Follow up: no activity yet for " + lead.get("email"));
        task.put("dueAt", Instant.now(clock).plus(Duration.ofDays(1)).toString());
        return task;
    }
}
