package io.switchboard.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox broker's API under {@code /sandbox/broker}, for the README's tour and tests: publish
 * a message to a queue as the shop's application would, and see how many wait there. Operators only.
 */
@SandboxEnabled
@RestController
class BrokerController {

    private final ObjectProvider<SandboxBroker> broker;

    BrokerController(ObjectProvider<SandboxBroker> broker) {
        this.broker = broker;
    }

    /** What was published, and where. */
    record Published(String queue, String messageId, int bytes, String broker) {
    }

    /** Publishes the request body as one persistent message; {@code messageId} defaults to a new UUID. */
    @PostMapping("/sandbox/broker/queues/{queue}/messages")
    ResponseEntity<Published> publish(@PathVariable String queue, @RequestParam(required = false) String messageId,
            @RequestBody String body, HttpServletRequest request) throws Exception {
        SandboxAccess.requireOperator();
        SandboxBroker running = StandInsOff.require(broker, "broker");
        if (!running.queues().contains(queue)) {
            throw new SandboxError(HttpStatus.NOT_FOUND, "unknown_queue", "The sandbox broker has the queues "
                    + running.queues());
        }
        String id = messageId == null || messageId.isBlank() ? UUID.randomUUID().toString() : messageId;
        String contentType = request.getContentType() == null ? "application/json" : request.getContentType();
        running.publish(queue, id, contentType, body);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Published(queue, id,
                body.getBytes(StandardCharsets.UTF_8).length, running.url()));
    }

    /** How many messages are ready in a queue (not yet taken by a consumer). */
    @GetMapping("/sandbox/broker/queues/{queue}")
    Map<String, Object> queue(@PathVariable String queue) throws Exception {
        SandboxAccess.requireOperator();
        SandboxBroker running = StandInsOff.require(broker, "broker");
        if (!running.queues().contains(queue)) {
            throw new SandboxError(HttpStatus.NOT_FOUND, "unknown_queue", "The sandbox broker has the queues "
                    + running.queues());
        }
        return Map.of("queue", queue, "ready", running.ready(queue));
    }
}
