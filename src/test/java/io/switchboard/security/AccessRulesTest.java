package io.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.switchboard.SwitchboardTest;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

@SwitchboardTest
class AccessRulesTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthIsOpenToAnonymousCallersButShowsNoDetails() throws Exception {
        var response = send(get("/actuator/health"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"").doesNotContain("components");
        assertThat(send(get("/actuator/health/readiness")).statusCode()).isEqualTo(200);
        assertThat(send(get("/actuator/health/liveness")).statusCode()).isEqualTo(200);
    }

    @Test
    void anonymousCallersAreRefusedEverywhereElse() throws Exception {
        for (String path : new String[] {"/actuator/hawtio/jolokia/read/java.lang:type=Runtime",
                "/actuator/jolokia/read/java.lang:type=Runtime", "/api/events", "/api/integrations",
                "/console", "/actuator/prometheus", "/actuator/env"}) {
            int status = send(get(path).header("Accept", "application/json")).statusCode();
            assertThat(status).as(path).isIn(401, 403, 302);
        }
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        assertThat(send(get("/actuator/prometheus").header("Authorization", basic("admin", "wrong"))).statusCode())
                .isEqualTo(401);
    }

    @Test
    void adminReachesMetricsAndJolokia() throws Exception {
        assertThat(send(get("/actuator/prometheus").header("Authorization", basic("admin", "admin-test-password")))
                .statusCode()).isEqualTo(200);
        var jolokia = send(get("/actuator/jolokia/read/java.lang:type=Runtime/Uptime")
                .header("Authorization", basic("admin", "admin-test-password")));
        assertThat(jolokia.statusCode()).isEqualTo(200);
        assertThat(jolokia.body()).contains("\"status\":200");
        var viaHawtio = send(get("/actuator/hawtio/jolokia/read/java.lang:type=Runtime/Uptime")
                .header("Authorization", basic("admin", "admin-test-password")));
        assertThat(viaHawtio.statusCode()).isEqualTo(200);
    }

    @Test
    void viewerMayReadButNotActAsOperator() throws Exception {
        String viewer = basic("viewer", "viewer-test-password");
        assertThat(send(get("/actuator/prometheus").header("Authorization", viewer)).statusCode()).isEqualTo(200);
        var replay = HttpRequest.newBuilder(uri("/api/dead-letters/1/replay"))
                .header("Authorization", viewer)
                .POST(HttpRequest.BodyPublishers.noBody());
        assertThat(send(replay).statusCode()).isEqualTo(403);
    }

    @Test
    void operatorIsKeptOutOfHawtioAndJolokia() throws Exception {
        for (String path : new String[] {"/actuator/jolokia/read/java.lang:type=Runtime/Uptime",
                "/actuator/hawtio/jolokia/read/java.lang:type=Runtime/Uptime"}) {
            var jolokia = send(get(path).header("Authorization", basic("operator", "operator-test-password")));
            assertThat(jolokia.statusCode()).as(path).isIn(401, 403);
            assertThat(jolokia.body()).as(path).doesNotContain("Uptime\":");
        }
    }

    @Test
    void apiKeyGrantsItsRoleAndAWrongKeyIsRefused() throws Exception {
        assertThat(send(get("/actuator/prometheus").header("X-Api-Key", "scraper-test-key")).statusCode())
                .isEqualTo(200);
        var wrong = send(get("/actuator/prometheus").header("X-Api-Key", "not-a-key"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("X-Api-Key").doesNotContain("scraper-test-key");
        var replay = HttpRequest.newBuilder(uri("/api/dead-letters/1/replay"))
                .header("X-Api-Key", "scraper-test-key")
                .POST(HttpRequest.BodyPublishers.noBody());
        assertThat(send(replay).statusCode()).isEqualTo(403);
    }

    @Test
    void onlyTheDocumentedActuatorEndpointsExist() throws Exception {
        String admin = basic("admin", "admin-test-password");
        for (String path : new String[] {"/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/shutdown"}) {
            assertThat(send(get(path).header("Authorization", admin)).statusCode()).as(path).isEqualTo(404);
        }
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return TestUsers.basic(user, password);
    }
}
