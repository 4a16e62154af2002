package io.switchboard.drill;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.switchboard.ingress.ApiIntegrationPaths;
import io.switchboard.integration.IntegrationsProperties;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * {@code POST /api/integrations/{id}/drills} (operator) starts the integration's reliability
 * drill (202, the running drill); {@code GET} (viewer) gives the last one, running or
 * finished. {@code GET /api/drills} gives every integration's last drill in brief, and whether
 * it drilled the route file that runs now (else the integration counts as not drilled).
 */
@RestController
class DrillsController implements SmartInitializingSingleton {

    private static final String PATH = "/api/integrations/{id}/drills";

    private final Drills drills;
    private final IntegrationsProperties integrations;
    private final List<RequestMappingHandlerMapping> mappings;

    DrillsController(Drills drills, IntegrationsProperties integrations, List<RequestMappingHandlerMapping> mappings) {
        this.drills = drills;
        this.integrations = integrations;
        this.mappings = mappings;
    }

    /** Drills reach api integrations too: see {@link ApiIntegrationPaths}. */
    @Override
    public void afterSingletonsInstantiated() {
        try {
            ApiIntegrationPaths.claim(mappings, integrations, PATH, RequestMethod.POST, this,
                    DrillsController.class.getDeclaredMethod("startForApi", HttpServletRequest.class, Principal.class));
            ApiIntegrationPaths.claim(mappings, integrations, PATH, RequestMethod.GET, this,
                    DrillsController.class.getDeclaredMethod("lastForApi", HttpServletRequest.class));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    ResponseEntity<?> startForApi(HttpServletRequest request, Principal who) {
        return start(ApiIntegrationPaths.idIn(request.getRequestURI(), "/drills"), who);
    }

    ResponseEntity<?> lastForApi(HttpServletRequest request) {
        return last(ApiIntegrationPaths.idIn(request.getRequestURI(), "/drills"));
    }

    @PostMapping(PATH)
    ResponseEntity<?> start(@PathVariable String id, Principal who) {
        try {
            return ResponseEntity.accepted().body(drills.start(id, who.getName()));
        } catch (Drills.Refused refused) {
            return problem(refused.status(), refused.status() == 404 ? "Unknown integration" : "Cannot drill now",
                    refused.getMessage());
        }
    }

    @GetMapping(PATH)
    ResponseEntity<?> last(@PathVariable String id) {
        if (integrations.find(id).isEmpty()) {
            return problem(404, "Unknown integration", "No integration " + id + ".");
        }
        return drills.last(id).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> problem(404, "Never drilled",
                "No drill of " + id + " yet: POST /api/integrations/" + id + "/drills runs one."));
    }

    @GetMapping("/api/drills")
    Map<String, Object> all() {
        Map<String, Object> answer = new LinkedHashMap<>();
        Map<String, Drills.DrillResult> last = drills.lastOfEach();
        integrations.all().keySet().forEach(id -> {
            Map<String, Object> brief = new LinkedHashMap<>();
            Optional.ofNullable(last.get(id)).ifPresent(drill -> {
                brief.put("drillId", drill.drillId());
                brief.put("status", drill.status());
                brief.put("startedAt", drill.startedAt());
                brief.put("finishedAt", drill.finishedAt());
                brief.put("cases", drill.cases().stream().map(c -> Map.of("name", c.name(), "outcome", c.outcome(),
                        "reason", c.reason())).toList());
                brief.put("current", drills.currentDigest(id).map(drill.routeDigest()::equals).orElse(false));
            });
            boolean drilled = "passed".equals(brief.get("status")) && Boolean.TRUE.equals(brief.get("current"));
            brief.put("drilled", drilled);
            answer.put(id, brief);
        });
        return answer;
    }

    private static ResponseEntity<ProblemDetail> problem(int status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        problem.setTitle(title);
        return ResponseEntity.of(problem).build();
    }
}
