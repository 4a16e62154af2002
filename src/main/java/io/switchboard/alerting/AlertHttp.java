package io.switchboard.alerting;

import java.io.IOException;
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
 * Posts an alert as JSON to a channel's HTTP API with short timeouts. URLs and keys are
 * resolved when sending, so they may name the server's own port (the sandbox in the demo).
 */
@Component
class AlertHttp {

    private final Environment environment;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    AlertHttp(Environment environment, ObjectMapper json) {
        this.environment = environment;
        this.json = json;
    }

    /**
     * A setting read again at send time: the demo's URLs name {@code local.server.port},
     * which the bound value resolved to its default before the server had a port.
     */
    String current(String property, String bound) {
        String value = environment.getProperty(property);
        return value == null || value.isBlank() ? bound : value;
    }

    void post(String channel, String url, Map<String, String> headers, Map<String, Object> body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(environment.resolvePlaceholders(url)))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            headers.forEach((name, value) -> request.header(name, environment.resolvePlaceholders(value)));
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(channel + " answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException(channel + " unreachable: " + e.getClass().getSimpleName());
        }
    }
}
