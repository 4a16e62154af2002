package io.switchboard.reference;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.logging.OneLine;
import io.switchboard.reliability.InvalidDataException;
import org.apache.camel.Body;
import org.apache.camel.Handler;
import org.springframework.stereotype.Component;

/**
 * Decides whether a website lead can go to the CRM: an e-mail address that is well formed
 * and whose domain is plausible (a real-looking host with a
 * top-level domain, not a reserved test or documentation domain, not a known typo of a
 * big mail provider). A lead that fails is parked for review with category
 * {@code invalid-data}; it never reaches the CRM. Required fields are the schema's job
 * ({@code routes/lead-intake.schema.json}): a lead without them is refused at the
 * webhook and never stored.
 */
@Component("leadValidation")
public class LeadValidation {

    private static final Pattern LOCAL_PART = Pattern.compile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$");
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Set<String> RESERVED_TLDS = Set.of("test", "example", "invalid", "localhost", "local");
    private static final Set<String> RESERVED_DOMAINS = Set.of("example.com", "example.net", "example.org");
    private static final Map<String, String> TYPOS = Map.of(
            "gmial.com", "gmail.com", "gmai.com", "gmail.com", "gamil.com", "gmail.com",
            "hotmial.com", "hotmail.com", "yaho.com", "yahoo.com", "outlok.com", "outlook.com");

    private final ObjectMapper json;

    public LeadValidation(ObjectMapper json) {
        this.json = json;
    }

    /** The route's step: the lead as sent (JSON text), left unchanged when it is fine. */
    @Handler
    public void validate(@Body String lead) throws JsonProcessingException {
        validate(json.readValue(lead, Map.class));
    }

    /** Throws {@link InvalidDataException} naming every problem. */
    public void validate(Map<String, Object> lead) {
        List<String> problems = problems(lead);
        if (!problems.isEmpty()) {
            // The submission id comes from outside: escaped, so the reason (logged, stored, alerted) stays one line.
            throw new InvalidDataException("lead " + OneLine.escape(String.valueOf(lead.getOrDefault("submissionId",
                    "(no submissionId)"))) + " needs review: " + OneLine.escape(String.join("; ", problems)));
        }
    }

    public List<String> problems(Map<String, Object> lead) {
        Object email = lead.get("email");
        String problem = email == null || email.toString().isBlank() ? null : emailProblem(email.toString().trim());
        return problem == null ? List.of() : List.of(problem);
    }

    static String emailProblem(String email) {
        int at = email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1 || email.indexOf('@') != at) {
            return "email '" + email + "' is not an e-mail address";
        }
        String local = email.substring(0, at);
        String domain = email.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!LOCAL_PART.matcher(local).matches() || local.startsWith(".") || local.endsWith(".")
                || local.contains("..")) {
            return "email '" + email + "' has an invalid name before the @";
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return "email domain '" + domain + "' has no top-level domain";
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "email domain '" + domain + "' is not a valid host name";
            }
        }
        String tld = labels[labels.length - 1];
        if (tld.length() < 2 || tld.chars().allMatch(Character::isDigit)) {
            return "email domain '" + domain + "' has no plausible top-level domain";
        }
        if (RESERVED_TLDS.contains(tld) || RESERVED_DOMAINS.contains(domain)) {
            return "email domain '" + domain + "' is reserved for tests and documentation";
        }
        if (TYPOS.containsKey(domain)) {
            return "email domain '" + domain + "' looks like a typo of " + TYPOS.get(domain);
        }
        return null;
    }
}
