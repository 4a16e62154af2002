package io.switchboard.ingress;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Which delivery headers are stored and shown as {@code ***}: the ones that authenticate
 * the sender by name, the integration's own API-key header, and any header whose name
 * suggests a credential. Masking by name is deliberately broad: a header wrongly masked costs
 * a little debugging, a header wrongly shown leaks a secret to every viewer.
 */
public final class HeaderMask {

    static final String MASK = "***";

    private static final Set<String> ALWAYS = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "webhook-signature", "x-hub-signature", "x-hub-signature-256", "stripe-signature", "x-api-key");
    private static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "token|secret|key|sign|auth|passw|pwd|cookie|session|credential|bearer");
    /**
     * Named like a credential but carrying none: the de-duplication key, and the routing key
     * the queue trigger records of a message, must stay readable.
     */
    private static final Set<String> NOT_SECRET = Set.of("idempotency-key", "amqp-routing-key");
    /**
     * The verdict per header name: every request asks again for the same few names, and this
     * runs on the ingest path. Bounded, since a sender may invent names.
     */
    private static final Map<String, Boolean> VERDICTS = new ConcurrentHashMap<>();
    private static final int MAX_VERDICTS = 4096;

    private HeaderMask() {
    }

    static boolean masks(String lowerCaseName, String integrationKeyHeader) {
        return lowerCaseName.equals(integrationKeyHeader) || namedLikeACredential(lowerCaseName);
    }

    private static boolean namedLikeACredential(String lowerCaseName) {
        Boolean known = VERDICTS.get(lowerCaseName);
        if (known != null) {
            return known;
        }
        boolean verdict = !NOT_SECRET.contains(lowerCaseName)
                && (ALWAYS.contains(lowerCaseName) || CREDENTIAL_NAME.matcher(lowerCaseName).find());
        if (VERDICTS.size() < MAX_VERDICTS) {
            VERDICTS.put(lowerCaseName, verdict);
        }
        return verdict;
    }

    /** The headers as a JSON object, credentials masked (written by hand: this runs per request). */
    public static String toJson(Map<String, String> lowerCaseHeaders, String integrationKeyHeader) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        StringBuilder out = new StringBuilder(512).append('{');
        lowerCaseHeaders.forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"');
            encoder.quoteAsString(name, out);
            out.append("\":\"");
            if (masks(name, integrationKeyHeader)) {
                out.append(MASK);
            } else {
                encoder.quoteAsString(value == null ? "" : value, out);
            }
            out.append('"');
        });
        return out.append('}').toString();
    }

    static String lowerCase(String headerName) {
        return headerName.toLowerCase(Locale.ROOT);
    }
}
