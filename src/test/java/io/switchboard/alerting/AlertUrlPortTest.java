package io.switchboard.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.switchboard.SwitchboardTest;
import io.switchboard.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The demo's alert URLs name the server's own port ({@code ${local.server.port:8080}}). Bound
 * at start they would say 8080, before the server had its port; read at send time they reach
 * the server on whatever port it got (here a random one).
 */
@SwitchboardTest
class AlertUrlPortTest {

    @LocalServerPort
    int port;

    @Autowired
    ConfigurableEnvironment environment;

    @Autowired
    ChatAlertSink chat;

    @Test
    void aChatAlertReachesTheSandboxChatOnTheRandomPortTheServerGot() throws Exception {
        assertThat(port).isNotEqualTo(8080);
        MapPropertySource demoUrl = new MapPropertySource("demo-alert-url", Map.of("switchboard.alerting.chat.webhook-url",
                "http://localhost:${local.server.port:8080}/sandbox/chat/messages/test-chat-token"));
        environment.getPropertySources().addFirst(demoUrl);
        String title = "port check " + UUID.randomUUID();
        try {
            chat.raised(new Alert("test:" + title, "probe", title, "detail", Instant.now(), Instant.now(), 1, null));
        } finally {
            environment.getPropertySources().remove(demoUrl.getName());
        }
        HttpResponse<String> history = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/sandbox/chat/messages"))
                .header("Authorization", TestUsers.basic(TestUsers.ADMIN))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(history.body()).contains(title);
    }
}
