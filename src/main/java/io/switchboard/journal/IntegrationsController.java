package io.switchboard.journal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.integration.IntegrationsProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/integrations}: each integration's card (its failure plan) and its live health. */
@RestController
class IntegrationsController {

    private final IntegrationsProperties integrations;
    private final IntegrationHealth health;
    private final CamelContext camel;
    private final io.switchboard.connect.ConnectionStates connections;

    IntegrationsController(IntegrationsProperties integrations, IntegrationHealth health, CamelContext camel,
            io.switchboard.connect.ConnectionStates connections) {
        this.integrations = integrations;
        this.health = health;
        this.camel = camel;
        this.connections = connections;
    }

    @GetMapping("/api/integrations")
    List<Map<String, Object>> list() {
        Map<String, IntegrationHealth.Health> now = health.all();
        List<Map<String, Object>> answer = new ArrayList<>();
        integrations.all().forEach((id, integration) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", id);
            entry.put("trigger", integration.trigger() == null ? null : integration.trigger().name().toLowerCase());
            entry.put("card", integration.card());
            List<Map<String, String>> routes = new ArrayList<>();
            for (Route route : camel.getRoutes()) {
                if (integrations.ownerOfRoute(route.getRouteId()).filter(id::equals).isPresent()) {
                    routes.add(Map.of("id", route.getRouteId(),
                            "status", String.valueOf(camel.getRouteController().getRouteStatus(route.getRouteId()))));
                }
            }
            entry.put("routes", routes);
            entry.put("health", now.get(id));
            // The state of each connection the card names: ok, rate-limited, credentials or permission trouble.
            List<Object> used = new ArrayList<>();
            if (integration.card() != null) {
                integration.card().scopes().keySet().forEach(name -> connections.get(name).ifPresent(used::add));
            }
            entry.put("connections", used);
            entry.put("hawtio", "/actuator/hawtio/camel/routes");
            answer.add(entry);
        });
        return answer;
    }
}
