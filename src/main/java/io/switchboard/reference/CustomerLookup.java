package io.switchboard.reference;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.reliability.Failure;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The parts of {@code routes/customer-lookup.camel.yaml}: the e-mail from the path, each
 * system's part of the answer (found, not known, or missing and why), the aggregation of
 * the parts the parallel calls bring back, and the answer itself: 200 with everything, 200
 * marked {@code "degraded": true} naming what is missing and why, 404 when both systems
 * answered and neither knows the address, 503 when neither answered.
 */
@Component("customerLookup")
public class CustomerLookup implements AggregationStrategy {

    /** Exchange property: the e-mail address looked up, normalised. */
    public static final String EMAIL = "customerEmail";
    /** Exchange property: when this side's call began ({@link System#nanoTime()}). */
    public static final String STARTED = "customerLookupStarted";
    /** The systems asked, in the order the answer lists them. */
    static final List<String> SIDES = List.of("crm", "billing");

    private static final Pattern EMAIL_SYNTAX = Pattern.compile("[^@\\s/]+@[^@\\s/]+\\.[^@\\s/]+");
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {
    };

    private final ObjectMapper json;
    private final long answerWithinMs;

    public CustomerLookup(ObjectMapper json,
            @Value("${switchboard.integrations.customer-lookup.settings.answer-within:1800}") long answerWithinMs) {
        this.json = json;
        this.answerWithinMs = answerWithinMs;
    }

    /** One system's part of the answer: its record, or nothing known ({@code data} null), or missing with a reason. */
    public record Part(String side, Map<String, Object> data, String missing) {

        static Part found(String side, Map<String, Object> data) {
            return new Part(side, data, null);
        }

        static Part missing(String side, String reason) {
            return new Part(side, null, reason);
        }
    }

    // --- steps of the route

    /** The e-mail address from the path, trimmed and lower-cased; {@code null} when it is not one. */
    public String email(Exchange exchange) {
        String email = exchange.getMessage().getHeader("email", String.class);
        if (email == null) {
            return null;
        }
        // A client may percent-encode the address in the path (%40 for @); '+' stays a plus.
        String decoded;
        try {
            decoded = URLDecoder.decode(email.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedEscape) {
            return null;
        }
        String normalised = decoded.trim().toLowerCase(Locale.ROOT);
        return EMAIL_SYNTAX.matcher(normalised).matches() && normalised.length() <= 254 ? normalised : null;
    }

    /** The query both systems take: {@code email=<address>}. */
    public String query(Exchange exchange) {
        exchange.setProperty(STARTED, System.nanoTime());
        return "email=" + URLEncoder.encode(exchange.getProperty(EMAIL, String.class), StandardCharsets.UTF_8);
    }

    /** The CRM's answer (a list of contacts with that address) as its part. */
    public Part crmAnswered(Exchange exchange) {
        return Part.found("crm", first(exchange));
    }

    /** Billing's answer (a list of customers with that address) as its part: the billing status. */
    public Part billingAnswered(Exchange exchange) {
        Map<String, Object> customer = first(exchange);
        if (customer == null) {
            return Part.found("billing", null);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("customerId", customer.get("id"));
        status.put("name", customer.get("name"));
        status.put("status", customer.get("status"));
        status.put("openInvoices", customer.get("openInvoices"));
        status.put("balanceCents", customer.get("balanceCents"));
        return Part.found("billing", status);
    }

    /** The circuit breaker's fallback for the CRM. */
    public Part crmMissing(Exchange exchange) {
        return Part.missing("crm", reason(exchange));
    }

    /** The circuit breaker's fallback for billing. */
    public Part billingMissing(Exchange exchange) {
        return Part.missing("billing", reason(exchange));
    }

    /** Collects the parts as they come back from the parallel calls. */
    @Override
    public Exchange aggregate(Exchange parts, Exchange arrived) {
        Part part = arrived.getMessage().getBody(Part.class);
        Exchange into = parts == null ? arrived : parts;
        Map<String, Part> collected = parts == null ? new LinkedHashMap<>() : collected(parts);
        if (part != null) {
            collected.put(part.side(), part);
        }
        into.getMessage().setBody(collected);
        return into;
    }

    /**
     * The answer to the caller, from whatever parts came back in time: status code,
     * content type and JSON body.
     */
    public void answer(Exchange exchange) throws JsonProcessingException {
        String email = exchange.getProperty(EMAIL, String.class);
        Map<String, Part> collected = exchange.getMessage().getBody() instanceof Map<?, ?> ? collected(exchange)
                : Map.of();
        Map<String, Part> parts = new LinkedHashMap<>();
        for (String side : SIDES) {
            parts.put(side, collected.getOrDefault(side, Part.missing(side,
                    "timeout: no answer within " + answerWithinMs + " ms")));
        }
        List<String> missing = parts.values().stream().filter(p -> p.missing() != null).map(Part::side).toList();
        Map<String, String> reasons = new LinkedHashMap<>();
        parts.values().stream().filter(p -> p.missing() != null).forEach(p -> reasons.put(p.side(), p.missing()));
        boolean anything = parts.values().stream().anyMatch(p -> p.data() != null);

        if (missing.size() == SIDES.size()) {
            Map<String, Object> problem = problem(503, "Customer systems unavailable",
                    "Neither the CRM nor billing answered in time; try again shortly.", email);
            problem.put("missing", missing);
            problem.put("reasons", reasons);
            respond(exchange, 503, "application/problem+json", problem);
            exchange.getMessage().setHeader("Retry-After", "5");
            return;
        }
        if (missing.isEmpty() && !anything) {
            respond(exchange, 404, "application/problem+json", problem(404, "Unknown customer",
                    "Neither the CRM nor billing knows " + email + ".", email));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("email", email);
        answer.put("contact", parts.get("crm").data());
        answer.put("billing", parts.get("billing").data());
        answer.put("degraded", !missing.isEmpty());
        answer.put("missing", missing);
        if (!reasons.isEmpty()) {
            answer.put("reasons", reasons);
        }
        respond(exchange, 200, "application/json", answer);
    }

    /** The answer to a path that does not end in an e-mail address. */
    public void invalidEmail(Exchange exchange) throws JsonProcessingException {
        respond(exchange, 400, "application/problem+json", problem(400, "Not an e-mail address",
                "The path must end in an e-mail address, e.g. /api/integrations/customer-lookup/ada@example.com.",
                null));
    }

    // --- helpers

    /**
     * Why a side is missing. The fallback sees the exception a failed call raised; a call
     * the breaker did not let through (open) or cut off (timeout) leaves none, and the two
     * are told apart by how long the side took.
     */
    String reason(Exchange exchange) {
        Throwable thrown = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (thrown != null) {
            Failure failure = Failure.of(thrown);
            return failure.category().label() + ": " + failure.message();
        }
        Long started = exchange.getProperty(STARTED, Long.class);
        long tookMs = started == null ? 0 : (System.nanoTime() - started) / 1_000_000;
        String state = exchange.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_STATE, String.class);
        if (("OPEN".equals(state) || "HALF_OPEN".equals(state) || "FORCED_OPEN".equals(state)) && tookMs < 500) {
            return "circuit-open: it failed repeatedly, so it is not asked for a while";
        }
        return "timeout: no answer within " + tookMs + " ms";
    }

    private Map<String, Object> first(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        List<Map<String, Object>> found;
        try {
            found = body == null || body.isBlank() ? List.of() : json.readValue(body, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer is not a JSON list: " + e.getOriginalMessage(), e);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Part> collected(Exchange exchange) {
        return (Map<String, Part>) exchange.getMessage().getBody(Map.class);
    }

    private static Map<String, Object> problem(int status, String title, String detail, String email) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        if (email != null) {
            problem.put("instance", "/api/integrations/customer-lookup/" + email);
        }
        return problem;
    }

    private void respond(Exchange exchange, int status, String contentType, Object body)
            throws JsonProcessingException {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        exchange.getMessage().setBody(json.writeValueAsString(body));
    }
}
