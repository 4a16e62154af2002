package io.switchboard.alerting;

import java.util.Map;

import org.springframework.stereotype.Component;

/** Posts alerts to a Slack-compatible incoming webhook ({@code {"text": "..."}}). */
@Component
class ChatAlertSink implements AlertSink {

    private final AlertingProperties properties;
    private final AlertHttp http;

    ChatAlertSink(AlertingProperties properties, AlertHttp http) {
        this.properties = properties;
        this.http = http;
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
        String url = http.current("switchboard.alerting.chat.webhook-url", properties.chat().webhookUrl());
        if (url != null && !url.isBlank()) {
            http.post("chat webhook", url, Map.of(), Map.of("text", text));
        }
    }
}
