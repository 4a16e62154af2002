package io.switchboard.alerting;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Posts alerts to a Slack-compatible incoming webhook ({@code {"text": "..."}}). The URL
 * is resolved when sending, so it may name the server's own port (the sandbox chat).
 */
@Component
class ChatAlertSink implements AlertSink {

    private final AlertingProperties properties;
    private final Environment environment;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    ChatAlertSink(AlertingProperties properties, Environment environment, ObjectMapper json) {
        this.properties = properties;
        this.environment = environment;
        this.json = json;
    }

    @Override
    public String channel() {
        return "chat";
    }

    @Override
    public void raised(Alert alert) {
        post(":rotating_light: " + alert.title() + "\n" + alert.detail());
    }

    @Override
    public void reminded(Alert alert) {
        post(":warning: Still failing (" + alert.count() + " times since " + alert.firstAt() + "): " + alert.title());
    }

    @Override
    public void resolved(Alert alert) {
        post(":white_check_mark: Recovered: " + alert.title() + " (" + alert.count() + " occurrence(s) since "
                + alert.firstAt() + ")");
    }

    private void post(String text) {
        String url = properties.chat().webhookUrl();
        if (url == null || url.isBlank()) {
            return;
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(environment.resolvePlaceholders(url)))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("text", text))))
                    .build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("chat webhook answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("chat webhook unreachable: " + e.getClass().getSimpleName());
        }
    }
}
