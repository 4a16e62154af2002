package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

class SettingFailureAnalyzerTest {

    @Test
    void anEmptyWebhookSecretEndsTheStartWithWhatToSet() {
        Throwable failure = new BeanCreationException("webhookIngress", "could not be created",
                new IllegalStateException("switchboard.integrations.ticket-intake.webhook.secret is empty: set it from "
                        + "the environment (e.g. secret: ${TICKET_INTAKE_WEBHOOK_SECRET})"));
        FailureAnalysis analysis = new SettingFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains("switchboard.integrations.ticket-intake.webhook.secret is empty");
        assertThat(analysis.getAction()).contains("SPRING_PROFILES_ACTIVE=dev");
    }

    @Test
    void otherFailuresAreLeftToTheNextAnalyzer() {
        assertThat(new SettingFailureAnalyzer().analyze(new IllegalStateException("something else"))).isNull();
    }
}
