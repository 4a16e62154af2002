package io.switchboard.inbox;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Message;

/**
 * What the sender said besides the body, as the route sees it: every stored header of the
 * delivery, by its lower-case name ({@code x-github-event}, {@code webhook-id},
 * {@code user-agent}...). Masked credentials, transport headers and anything that would
 * shadow Switchboard's or Camel's own headers are left out.
 */
final class DeliveryHeaders {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASKED = "***";
    private static final Set<String> TRANSPORT = Set.of("host", "content-length", "content-type", "connection",
            "transfer-encoding", "expect", "accept-encoding", "keep-alive", "te", "upgrade");

    private DeliveryHeaders() {
    }

    static void copy(String storedHeaders, Message message) {
        if (storedHeaders == null || storedHeaders.isEmpty()) {
            return;
        }
        JsonNode headers;
        try {
            headers = JSON.readTree(storedHeaders);
        } catch (IOException unreadable) {
            return; // written by the ingress itself; an unreadable set just carries nothing
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> header = it.next();
            String name = header.getKey();
            String value = header.getValue().asText();
            if (MASKED.equals(value) || TRANSPORT.contains(name) || name.startsWith("switchboard")
                    || name.startsWith("camel")) {
                continue;
            }
            message.setHeader(name, value);
        }
    }
}
