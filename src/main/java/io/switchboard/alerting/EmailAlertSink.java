package io.switchboard.alerting;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * Sends alerts as e-mail: through the team's SMTP relay when one is set (Spring Boot's
 * {@code spring.mail.*}: host, port, username, password, STARTTLS), otherwise through an
 * HTTP mail API ({@code POST {"from","to","subject","text"}} with an API key header), the
 * sandbox mail in the demo.
 */
@Component
class EmailAlertSink implements AlertSink {

    private final AlertingProperties properties;
    private final AlertHttp http;
    private final ObjectProvider<JavaMailSender> smtp;

    EmailAlertSink(AlertingProperties properties, AlertHttp http, ObjectProvider<JavaMailSender> smtp) {
        this.properties = properties;
        this.http = http;
        this.smtp = smtp;
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
        if (email.to() == null || email.to().isBlank()) {
            return;
        }
        JavaMailSender relay = smtp.getIfAvailable();
        if (relay != null) {
            SimpleMailMessage message = new SimpleMailMessage();
            message.setFrom(email.from());
            message.setTo(email.to().split("\\s*,\\s*"));
            message.setSubject(subject);
            message.setText(text);
            try {
                relay.send(message);
            } catch (MailException e) {
                // The relay's answer, never the credentials: AlertDelivery logs this one line.
                throw new IllegalStateException("SMTP relay refused the alert mail: " + e.getMessage());
            }
            return;
        }
        if (email.url() == null || email.url().isBlank()) {
            return;
        }
        Map<String, String> headers = email.apiKey() == null || email.apiKey().isBlank() ? Map.of()
                : Map.of(email.apiKeyHeader() == null ? "X-Api-Key" : email.apiKeyHeader(), email.apiKey());
        http.post("mail API", http.current("switchboard.alerting.email.url", email.url()), headers, Map.of("from", email.from(),
                "to", email.to(), "subject", subject, "text", text));
    }
}
