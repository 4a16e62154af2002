package io.switchboard.integration;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Route files that were changed but refused on reload (a YAML error, a broken contract, a
 * missing id...), so the integration's card can say why its running route is the old one
 * until a good file replaces it.
 */
@Component
public class RouteFileProblems {

    private final Clock clock;
    private final Map<String, Problem> byFile = new ConcurrentHashMap<>();

    public RouteFileProblems(Clock clock) {
        this.clock = clock;
    }

    /**
     * A refused file.
     *
     * @param file         the route file, as its location reads ({@code file:routes/x.camel.yaml})
     * @param integrations the integrations whose routes the file holds, as far as could be told
     * @param message      what is wrong and what to do
     */
    public record Problem(String file, List<String> integrations, String message, Instant at) {
    }

    public void refused(String file, List<String> integrations, String message) {
        byFile.put(file, new Problem(file, List.copyOf(integrations), message, clock.instant()));
    }

    public void accepted(String file) {
        byFile.remove(file);
    }

    /** The latest refused reload of a file holding this integration's routes, if one is unresolved. */
    public Optional<Problem> forIntegration(String integration) {
        return byFile.values().stream().filter(p -> p.integrations().contains(integration))
                .max(Comparator.comparing(Problem::at));
    }

    public List<Problem> all() {
        return List.copyOf(byFile.values());
    }
}
