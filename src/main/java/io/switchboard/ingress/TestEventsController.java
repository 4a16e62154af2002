package io.switchboard.ingress;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.InboxHeaders;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import io.switchboard.journal.EventQueries;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * {@code POST /api/integrations/{id}/test-events} (operator): try an integration with a
 * sample payload before the next real event. A webhook or event integration gets a stored
 * test event, checked as a webhook would be and run through the current route like any
 * other; an api integration's route is called with the payload's fields as its path
 * parameters, and the answer comes back at once.
 */
@RestController
class TestEventsController implements SmartInitializingSingleton {

    private static final String PATH = "/api/integrations/{id}/test-events";

    private final IntegrationsProperties integrations;
    private final WebhookIngress ingress;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final CamelContext camel;
    private final ObjectMapper json;
    private final List<RequestMappingHandlerMapping> mappings;
    private final EventQueries events;
    private final ConnectionsProperties connections;

    TestEventsController(IntegrationsProperties integrations, WebhookIngress ingress, InboxStore inbox,
            InboxSignal signal, CamelContext camel, ObjectMapper json, List<RequestMappingHandlerMapping> mappings,
            EventQueries events, ConnectionsProperties connections) {
        this.connections = connections;
        this.events = events;
        this.mappings = mappings;
        this.integrations = integrations;
        this.ingress = ingress;
        this.inbox = inbox;
        this.signal = signal;
        this.camel = camel;
        this.json = json;
    }

    /** Test events reach api integrations too: see {@link ApiIntegrationPaths}. */
    @Override
    public void afterSingletonsInstantiated() {
        try {
            ApiIntegrationPaths.claim(mappings, integrations, PATH, RequestMethod.POST, this,
                    TestEventsController.class.getDeclaredMethod("sendToApi", HttpServletRequest.class, byte[].class,
                            Principal.class));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    ResponseEntity<?> sendToApi(HttpServletRequest request,
            @RequestBody(required = false) byte[] body, Principal who) {
        return send(ApiIntegrationPaths.idIn(request.getRequestURI(), "/test-events"), body, who);
    }

    @PostMapping(PATH)
    ResponseEntity<?> send(@PathVariable String id, @RequestBody(required = false) byte[] body, Principal who) {
        IntegrationsProperties.Integration integration = integrations.find(id).orElse(null);
        if (integration == null) {
            return problem(HttpStatus.NOT_FOUND, "Unknown integration", "No integration " + id
                    + "; GET /api/integrations lists them.");
        }
        if (integration.trigger() == Trigger.SCHEDULE) {
            return problem(HttpStatus.BAD_REQUEST, "No test events for a schedule", id + " runs on a schedule and "
                    + "takes no payload: POST /api/integrations/" + id + "/runs starts a run now.");
        }
        // A test event runs the real route: through a database, broker, mail server or folder it
        // would act on the real system, which only a test double (see the drills) may stand in for.
        for (String name : RouteCalls.connectionsOfIntegration(camel, integrations, id)) {
            ConnectionsProperties.Connection called = connections.connections().get(name);
            if (called != null && called.kind() != ConnectionKind.HTTP) {
                // Every kind but HTTP has a drill's test double (a broker's too).
                return problem(HttpStatus.CONFLICT, "Would reach a real system", id + " calls connection " + name
                        + " (" + called.kind().label() + "), a real system a test event would act on. A drill (POST "
                        + "/api/integrations/" + id + "/drills) runs the route against a test double of it instead.");
            }
        }
        JsonNode payload;
        try {
            payload = ingress.checkPayload(id, body == null ? new byte[0] : body);
        } catch (WebhookRejection rejection) {
            return problem(rejection.status(), rejection.title(), rejection.getMessage());
        }
        if (integration.trigger() == Trigger.API) {
            return callApi(id, payload);
        }
        String eventId = inbox.acceptTest(id, new String(body, StandardCharsets.UTF_8), who.getName());
        signal.wake(id);
        return ResponseEntity.accepted().body(Map.of("eventId", eventId, "test", true));
    }

    /**
     * Runs the api route's steps with the payload's fields as path parameters, as a GET would,
     * without going through HTTP again (the operator is already signed in).
     */
    /**
     * {@code GET /api/integrations/{id}/test-events/sample} (viewer): what to start a test
     * event from: the last real event's payload without its sensitive fields (a test must not
     * carry a secret the journal hides), else the schema's example, else nothing.
     */
    @GetMapping(PATH + "/sample")
    ResponseEntity<?> sample(@PathVariable String id) {
        if (integrations.find(id).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "Unknown integration", "No integration " + id + ".");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        var last = events.lastRealPayload(id);
        if (last.isPresent()) {
            answer.put("source", "last-event");
            answer.put("payload", last.get());
            return ResponseEntity.ok(answer);
        }
        var example = ingress.examplePayload(id);
        answer.put("source", example.isPresent() ? "schema-example" : "none");
        answer.put("payload", example.orElseGet(json::createObjectNode));
        return ResponseEntity.ok(answer);
    }

    private ResponseEntity<?> callApi(String id, JsonNode payload) {
        Route route = camel.getRoute(id);
        if (route == null) {
            return problem(HttpStatus.CONFLICT, "Route not running", "Integration " + id + " has no route " + id
                    + " running; start it (Hawtio) or fix its route file.");
        }
        if (!payload.isObject()) {
            return problem(HttpStatus.BAD_REQUEST, "Path parameters expected", "Send the route's path parameters as "
                    + "a JSON object, e.g. {\"email\": \"ada@example.com\"}.");
        }
        ApiIntegrationPaths.Answer called = ApiIntegrationPaths.call(route, id, payload);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("test", true);
        answer.put("durationMs", called.durationMs());
        if (called.error() != null) {
            answer.put("status", 500);
            answer.put("error", called.error());
            return ResponseEntity.ok(answer);
        }
        answer.put("status", called.status());
        String text = called.body();
        answer.put("body", parsedOrText(text));
        return ResponseEntity.ok(answer);
    }

    private Object parsedOrText(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (Exception notJson) {
            return text;
        }
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}
