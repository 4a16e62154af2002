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
 * Sends alerts as e-mail through an HTTP mail API ({@code POST {"to","subject","text"}} with
 * an {@code X-Api-Key}), the sandbox mail by default.
 */
@Component
class EmailAlertSink implements AlertSink {

    private final AlertingProperties properties;
    private final Environment environment;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    EmailAlertSink(AlertingProperties properties, Environment environment, ObjectMapper json) {
        this.properties = properties;
        this.environment = environment;
        this.json = json;
    }

    @Override
    public String channel() {
        return "email";
    }

    @Override
    public void raised(Alert alert) {
        send("[Switchboard] " + alert.title(), alert.detail());
    }

    @Override
    public void reminded(Alert alert) {
        send("[Switchboard] Still failing: " + alert.title(), alert.count() + " occurrence(s) since " + alert.firstAt()
                + "\n\n" + alert.detail());
    }

    @Override
    public void resolved(Alert alert) {
        send("[Switchboard] Recovered: " + alert.title(), alert.count() + " occurrence(s) since " + alert.firstAt());
    }

    private void send(String subject, String text) {
        AlertingProperties.Email email = properties.email();
        if (email.url() == null || email.url().isBlank() || email.to() == null || email.to().isBlank()) {
            return;
        }
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(environment.resolvePlaceholders(email.url())))
                    .header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                            Map.of("from", "switchboard-alerts@switchboard.example", "to", email.to(),
                                    "subject", subject, "text", text))));
            if (email.apiKey() != null && !email.apiKey().isBlank()) {
                request.header(email.apiKeyHeader() == null ? "X-Api-Key" : email.apiKeyHeader(),
                        environment.resolvePlaceholders(email.apiKey()));
            }
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("mail API answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("mail API unreachable: " + e.getClass().getSimpleName());
        }
    }
}
