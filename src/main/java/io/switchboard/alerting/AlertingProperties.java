package io.switchboard.alerting;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.alerting.*}.
 *
 * @param defaultChannels  channels for alerts that concern no integration (connections, the server)
 * @param repeatInterval   a reminder while an outage goes on, at most this often
 * @param checkInterval    how often silence, SLA and failure-rate checks run
 * @param failureRate      the failure-rate alert
 * @param chat             a Slack-compatible incoming webhook
 * @param email            e-mail: through SMTP when {@code spring.mail.host} is set, else an HTTP mail API
 *                         (the sandbox mail in the demo)
 */
@ConfigurationProperties("switchboard.alerting")
public record AlertingProperties(List<String> defaultChannels, Duration repeatInterval, Duration checkInterval,
        FailureRate failureRate, Chat chat, Email email) {

    public AlertingProperties {
        defaultChannels = defaultChannels == null ? List.of("chat") : List.copyOf(defaultChannels);
        repeatInterval = repeatInterval == null ? Duration.ofHours(1) : repeatInterval;
        checkInterval = checkInterval == null ? Duration.ofSeconds(15) : checkInterval;
        failureRate = failureRate == null ? new FailureRate(null, 0, 0) : failureRate;
        chat = chat == null ? new Chat(null) : chat;
        email = email == null ? new Email(null, null, null, null, null) : email;
    }

    /** Alert when at least {@code minFailures} attempts failed in the window and their share is over the threshold. */
    public record FailureRate(Duration window, double threshold, int minFailures) {
        public FailureRate {
            window = window == null ? Duration.ofMinutes(5) : window;
            threshold = threshold <= 0 ? 0.5 : threshold;
            minFailures = minFailures <= 0 ? 10 : minFailures;
        }
    }

    /** @param webhookUrl where to POST {@code {"text": ...}}; placeholders are resolved at send time */
    public record Chat(String webhookUrl) {
    }

    /**
     * @param url          mail API to POST {@code {"from","to","subject","text"}} to, when no SMTP server is set
     * @param apiKeyHeader the header carrying the key (default {@code X-Api-Key})
     * @param apiKey       the key, from the environment
     * @param to           who gets alert mail (comma-separated for several)
     * @param from         the sender (default {@code switchboard-alerts@switchboard.example})
     */
    public record Email(String url, String apiKeyHeader, String apiKey, String to, String from) {
        public Email {
            from = from == null || from.isBlank() ? "switchboard-alerts@switchboard.example" : from;
        }
    }
}
