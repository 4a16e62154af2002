package io.switchboard.ingress;

import java.util.Locale;
import java.util.Map;

/**
 * A webhook as received: the raw body bytes (signatures are checked on these, never on a
 * re-serialised copy) and the request headers with lower-case names.
 */
public record SignedRequest(byte[] body, Map<String, String> headers) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
