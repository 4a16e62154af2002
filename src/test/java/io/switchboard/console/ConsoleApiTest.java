package io.switchboard.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The console's page and its one endpoint of its own, {@code /api/me}, over plain HTTP. */
@SwitchboardTest
class ConsoleApiTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void meNamesTheUserWithEveryRoleTheyHoldImpliedOnesIncluded() throws Exception {
        JsonNode operator = json.readTree(get("/api/me", "operator", "operator-test-password").body());
        assertThat(operator.get("name").asText()).isEqualTo("operator");
        assertThat(operator.get("roles")).extracting(JsonNode::asText).containsExactly("viewer", "operator");
        JsonNode viewer = json.readTree(get("/api/me", "viewer", "viewer-test-password").body());
        assertThat(viewer.get("roles")).extracting(JsonNode::asText).containsExactly("viewer");
        JsonNode admin = json.readTree(get("/api/me", "admin", "admin-test-password").body());
        assertThat(admin.get("roles")).extracting(JsonNode::asText).containsExactly("viewer", "operator", "admin");
    }

    @Test
    void consoleIsServedToAViewerWithAndWithoutTheTrailingSlash() throws Exception {
        for (String path : new String[] {"/console", "/console/"}) {
            HttpResponse<String> page = get(path, "viewer", "viewer-test-password");
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.body()).as(path).contains("<title>Switchboard console</title>")
                    .contains("/console/console.js");
        }
        assertThat(get("/console/console.js", "viewer", "viewer-test-password").statusCode()).isEqualTo(200);
    }

    @Test
    void anonymousCallersGetNeitherThePageNorTheirIdentity() throws Exception {
        for (String path : new String[] {"/api/me", "/console/console.js"}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path))
                    .header("X-Requested-With", "XMLHttpRequest").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
        }
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", TestUsers.basic(user, password)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
