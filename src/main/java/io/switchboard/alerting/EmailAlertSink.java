package io.switchboard.alerting;

import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * Sends alerts as e-mail through an HTTP mail API ({@code POST {"from","to","subject","text"}}
 * with an API key header), the sandbox mail in the demo.
 */
@Component
class EmailAlertSink implements AlertSink {

    private final AlertingProperties properties;
    private final AlertHttp http;

    EmailAlertSink(AlertingProperties properties, AlertHttp http) {
        this.properties = properties;
        this.http = http;
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
        Map<String, String> headers = email.apiKey() == null || email.apiKey().isBlank() ? Map.of()
                : Map.of(email.apiKeyHeader() == null ? "X-Api-Key" : email.apiKeyHeader(), email.apiKey());
        http.post("mail API", http.current("switchboard.alerting.email.url", email.url()), headers, Map.of("from", "switchboard-alerts@switchboard.example",
                "to", email.to(), "subject", subject, "text", text));
    }
}
