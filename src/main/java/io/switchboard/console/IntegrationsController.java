package io.switchboard.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.connect.ConnectionStates;
import io.switchboard.incident.Incidents;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.RouteFileProblems;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import io.switchboard.journal.IntegrationHealth;

/** {@code GET /api/integrations}: each integration's card (its failure plan) and its live health. */
@RestController
class IntegrationsController {

    private final IntegrationsProperties integrations;
    private final IntegrationHealth health;
    private final CamelContext camel;
    private final ConnectionStates connections;
    private final RouteFileProblems routeFiles;
    private final Incidents incidents;

    IntegrationsController(IntegrationsProperties integrations, IntegrationHealth health, CamelContext camel,
            ConnectionStates connections, RouteFileProblems routeFiles, Incidents incidents) {
        this.incidents = incidents;
        this.integrations = integrations;
        this.health = health;
        this.camel = camel;
        this.connections = connections;
        this.routeFiles = routeFiles;
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
            // A changed route file that was refused: the running route is the previous version.
            entry.put("routeFileProblem", routeFiles.forIntegration(id).orElse(null));
            entry.put("health", now.get(id));
            // Every connection the integration's routes call, with the scopes its card grants (none
            // is a fact worth showing too), and each one's state: ok, rate-limited, credentials...
            Map<String, List<String>> scopes = new LinkedHashMap<>();
            if (integration.card() != null) {
                integration.card().scopes().forEach((name, granted) -> scopes.put(name, granted == null ? List.of() : granted));
            }
            Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
            for (RouteDefinition definition : model.getRouteDefinitions()) {
                if (integrations.ownerOfRoute(definition.getRouteId()).filter(id::equals).isPresent()) {
                    RouteCalls.connections(definition).forEach(name -> scopes.putIfAbsent(name, List.of()));
                }
            }
            // The system a queue, outbox, mailbox or folder trigger reads from is used too.
            if (integration.source() != null && integration.source().connection() != null) {
                scopes.putIfAbsent(integration.source().connection(), List.of());
            }
            entry.put("connectionScopes", scopes);
            List<Object> used = new ArrayList<>();
            scopes.keySet().forEach(name -> connections.get(name).ifPresent(used::add));
            entry.put("connections", used);
            // What is broken now for this integration: the incidents of its events and of its systems.
            entry.put("incidents", incidents.unresolvedConcerning(id, scopes.keySet()));
            entry.put("hawtio", "/actuator/hawtio/camel/routes");
            answer.add(entry);
        });
        return answer;
    }
}
