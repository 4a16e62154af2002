package io.switchboard.reference;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.alerting.Alerts;
import io.switchboard.inbox.InboxHeaders;
import io.switchboard.journal.StepJournal;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The lead chain's data work, called step by step from {@code routes/lead-intake.camel.yaml}:
 * the CRM contact to upsert, which sales rep owns the lead (falling back when the owner
 * left), the task, the welcome e-mail, the team's chat message and the
 * {@code lead.created} event. The route decides the order and the calls; this bean only
 * shapes data, so each piece is tested on its own.
 */
@Component("leadIntake")
public class LeadIntake {

    /** Exchange properties the route keeps between steps. */
    public static final String LEAD = "lead";
    public static final String CONTACT = "contact";
    public static final String OWNER = "owner";

    private final ObjectMapper json;
    private final Alerts alerts;
    private final StepJournal steps;
    private final Clock clock;
    private final String fallbackOwner;
    private final String mailFrom;

    public LeadIntake(ObjectMapper json, Alerts alerts, StepJournal steps, Clock clock,
            @Value("${switchboard.reference.lead-intake.fallback-owner:u-fallback}") String fallbackOwner,
            @Value("${switchboard.reference.lead-intake.mail-from:hello@switchboard.invalid}") String mailFrom) {
        this.json = json;
        this.alerts = alerts;
        this.steps = steps;
        this.clock = clock;
        this.fallbackOwner = fallbackOwner;
        this.mailFrom = mailFrom;
    }

    /** The contact the CRM should hold for this lead (the CRM matches on e-mail and keeps what it knows). */
    public Map<String, Object> contactRequest(Exchange exchange) {
        Map<String, Object> lead = lead(exchange);
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("email", text(lead, "email").trim().toLowerCase(java.util.Locale.ROOT));
        putIfPresent(contact, "firstName", lead.get("firstName"));
        putIfPresent(contact, "lastName", lead.get("lastName"));
        putIfPresent(contact, "company", lead.get("company"));
        putIfPresent(contact, "phone", lead.get("phone"));
        putIfPresent(contact, "source", lead.getOrDefault("source", "website"));
        return contact;
    }

    /** Keeps the CRM's answer (the source of truth) for the next steps. */
    public void rememberContact(Exchange exchange) throws JsonProcessingException {
        Map<String, Object> contact = json.readValue(exchange.getMessage().getBody(String.class), Map.class);
        exchange.setProperty(CONTACT, contact);
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

    /** The sales task for the owner. */
    public Map<String, Object> taskRequest(Exchange exchange) {
        Map<String, Object> lead = lead(exchange);
        Map<String, Object> contact = exchange.getProperty(CONTACT, Map.class);
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("contactId", contact.get("id"));
        task.put("ownerId", exchange.getProperty(OWNER, String.class));
        task.put("title", "Call new lead " + displayName(lead));
        putIfPresent(task, "notes", lead.get("message"));
        task.put("dueAt", Instant.now(clock).plus(Duration.ofDays(1)).toString());
        return task;
    }

    public Map<String, Object> welcomeEmail(Exchange exchange) {
        Map<String, Object> lead = lead(exchange);
        String first = text(lead, "firstName");
        return Map.of("from", mailFrom, "to", text(lead, "email"),
                "subject", "Thanks for getting in touch",
                "text", "Hello " + (first.isBlank() ? "there" : first) + ",\n\nthank you for your message. "
                        + "One of our team will call you within one working day.\n");
    }

    public Map<String, Object> chatMessage(Exchange exchange) {
        Map<String, Object> lead = lead(exchange);
        return Map.of("text", "New lead: " + displayName(lead) + " <" + text(lead, "email") + ">, source "
                + lead.getOrDefault("source", "website") + "; task for " + exchange.getProperty(OWNER, String.class));
    }

    /** The {@code lead.created} event for subscribers such as lead-followup. */
    public String leadCreated(Exchange exchange) throws JsonProcessingException {
        Map<String, Object> lead = lead(exchange);
        Map<String, Object> contact = exchange.getProperty(CONTACT, Map.class);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("submissionId", lead.get("submissionId"));
        event.put("email", text(lead, "email"));
        event.put("contactId", contact.get("id"));
        event.put("ownerId", exchange.getProperty(OWNER, String.class));
        event.put("createdAt", Instant.now(clock).toString());
        return json.writeValueAsString(event);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lead(Exchange exchange) {
        return exchange.getProperty(LEAD, Map.class);
    }

    private static String eventId(Exchange exchange) {
        return exchange.getMessage().getHeader(InboxHeaders.EVENT_ID, String.class);
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? "" : value.toString();
    }

    private static String displayName(Map<String, Object> lead) {
        String name = (text(lead, "firstName") + " " + text(lead, "lastName")).trim();
        String company = text(lead, "company");
        return (name.isEmpty() ? text(lead, "email") : name) + (company.isBlank() ? "" : " (" + company + ")");
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null && !value.toString().isBlank()) {
            map.put(key, value);
        }
    }
}
