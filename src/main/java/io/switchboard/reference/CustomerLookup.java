package io.switchboard.reference;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import io.switchboard.reliability.Failure;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.springframework.stereotype.Component;

/**
 * What {@code routes/customer-lookup.camel.yaml} cannot say in YAML and jq: which e-mail
 * address the path names, and why a system's part of the answer is missing. The route
 * itself asks both systems and builds the answer.
 */
@Component("customerLookup")
public class CustomerLookup {

    private static final Pattern EMAIL_SYNTAX = Pattern.compile("[^@\\s/]+@[^@\\s/]+\\.[^@\\s/]+");

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

    /**
     * Why a system's part is missing, for its circuit breaker's fallback. A failed call
     * leaves the exception it raised; a call the breaker did not let through (open) or cut
     * off (timeout) leaves none, and the two are told apart by how long the lookup took.
     */
    public String reason(Exchange exchange) {
        Throwable thrown = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (thrown != null) {
            Failure failure = Failure.of(thrown);
            return failure.category().label() + ": " + failure.message();
        }
        long tookMs = exchange.getClock().elapsed();
        String state = exchange.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_STATE, String.class);
        if (("OPEN".equals(state) || "HALF_OPEN".equals(state) || "FORCED_OPEN".equals(state)) && tookMs < 500) {
            return "circuit-open: it failed repeatedly, so it is not asked for a while";
        }
        return "timeout: no answer within " + tookMs + " ms";
    }
}
