package io.switchboard.reference;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.alerting.Alerts;
import io.switchboard.integration.InboxHeaders;
import io.switchboard.journal.StepJournal;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The two steps of {@code routes/lead-intake.camel.yaml} that are more than data mapping (the
 * route maps its requests with jq): keeping the CRM's contact, and choosing who owns the lead,
 * falling back, with one alert, when the CRM's owner has left.
 */
@Component("leadIntake")
public class LeadIntake {

    /** Exchange properties the route reads in its jq mappings. */
    public static final String CONTACT_ID = "contactId";
    public static final String OWNER = "owner";
    private static final String CONTACT = "contact";

    private final ObjectMapper json;
    private final Alerts alerts;
    private final StepJournal steps;
    private final String fallbackOwner;

    public LeadIntake(ObjectMapper json, Alerts alerts, StepJournal steps,
            @Value("${switchboard.integrations.lead-intake.settings.fallback-owner:u-fallback}") String fallbackOwner) {
        this.json = json;
        this.alerts = alerts;
        this.steps = steps;
        this.fallbackOwner = fallbackOwner;
    }

    /** Keeps the CRM's answer (the source of truth) for the next steps. */
    public void rememberContact(Exchange exchange) throws JsonProcessingException {
        Map<String, Object> contact = json.readValue(exchange.getMessage().getBody(String.class), Map.class);
        exchange.setProperty(CONTACT, contact);
        exchange.setProperty(CONTACT_ID, String.valueOf(contact.get("id")));
        steps.done(eventId(exchange), "crm-contact", "contact " + contact.get("id") + " for " + contact.get("email")
                + " (owner " + contact.get("ownerId") + ")");
    }

    /**
     * Picks the task's owner: the contact's owner while that rep is active, otherwise the
     * configured fallback owner, with one alert per rep that names them.
     */
    public void chooseOwner(Exchange exchange) throws JsonProcessingException {
        List<Map<String, Object>> users = json.readValue(exchange.getMessage().getBody(String.class), List.class);
        Map<String, Object> contact = exchange.getProperty(CONTACT, Map.class);
        String wanted = contact == null ? null : (String) contact.get("ownerId");
        Optional<Map<String, Object>> owner = users.stream().filter(u -> u.get("id").equals(wanted)).findFirst();
        if (owner.isPresent() && Boolean.TRUE.equals(owner.get().get("active"))) {
            exchange.setProperty(OWNER, owner.get().get("id"));
            steps.done(eventId(exchange), "owner", "owner " + owner.get().get("name"));
            return;
        }
        String who = owner.map(u -> u.get("name") + " (" + u.get("id") + ")").orElse(wanted == null ? "no owner" : wanted);
        String why = owner.isPresent() ? "is inactive" : "is unknown to the CRM";
        exchange.setProperty(OWNER, fallbackOwner);
        steps.note(eventId(exchange), "owner", "fallback", "sales rep " + who + " " + why + "; task assigned to "
                + fallbackOwner);
        alerts.raise("lead-intake", "lead-owner:" + wanted, "Leads of sales rep " + who + " go to the fallback owner",
                "The CRM assigns leads to " + who + ", who " + why + ". New tasks go to " + fallbackOwner
                        + " until the CRM's ownership is fixed.");
    }

    private static String eventId(Exchange exchange) {
        return exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, String.class);
    }
}
