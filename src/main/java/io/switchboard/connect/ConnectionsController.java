package io.switchboard.connect;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/connections}: every connection with its state; never a credential. */
@RestController
class ConnectionsController {

    private final Connections connections;
    private final ConnectionStates states;

    ConnectionsController(Connections connections, ConnectionStates states) {
        this.connections = connections;
        this.states = states;
    }

    /** What a person needs to see about one connection. */
    record View(String name, String baseUrl, String auth, Set<String> scopes, double rateLimit, int maxConcurrent,
            String state, Instant since, String detail) {
    }

    @GetMapping("/api/connections")
    List<View> all() {
        return connections.all().stream().map(connection -> {
            var state = states.get(connection.name()).orElse(null);
            return new View(connection.name(), connection.baseUrl(), connection.settings().auth().type().label(),
                    connection.scopes(), connection.settings().rateLimit(), connection.settings().maxConcurrent(),
                    state == null ? null : state.status().label(), state == null ? null : state.since(),
                    state == null ? null : state.detail());
        }).toList();
    }
}
