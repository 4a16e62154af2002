package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** A new webhook integration without a secret does not stop the tests' server: it gets a test secret. */
class TestSecretsTest {

    @Test
    void webhookIntegrationsWithoutASecretGetTheirTestSecretInTheTestProfile() {
        StandardEnvironment environment = environment("test");
        new TestSecrets().postProcessEnvironment(environment, null);
        assertThat(environment.getProperty("switchboard.integrations.ticket-intake.webhook.secret"))
                .isEqualTo(TestSecrets.forIntegration("ticket-intake", "standard-webhooks"))
                .startsWith("whsec_");
        assertThat(environment.getProperty("switchboard.integrations.github-issues.webhook.secret"))
                .isEqualTo("test-secret-github-issues");
        assertThat(environment.getProperty("switchboard.integrations.signed.webhook.secret")).isEqualTo("own-secret");
        assertThat(environment.getProperty("switchboard.integrations.nightly.webhook.secret")).isNull();
    }

    @Test
    void outsideTheTestProfileNothingIsFilledIn() {
        StandardEnvironment environment = environment("default");
        new TestSecrets().postProcessEnvironment(environment, null);
        assertThat(environment.getProperty("switchboard.integrations.ticket-intake.webhook.secret")).isEmpty();
    }

    private static StandardEnvironment environment(String profile) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.setActiveProfiles(profile);
        environment.getPropertySources().addFirst(new MapPropertySource("config", Map.of(
                "switchboard.integrations.ticket-intake.trigger", "webhook",
                "switchboard.integrations.ticket-intake.webhook.secret", "",
                "switchboard.integrations.github-issues.trigger", "webhook",
                "switchboard.integrations.github-issues.webhook.auth", "github",
                "switchboard.integrations.signed.trigger", "webhook",
                "switchboard.integrations.signed.webhook.secret", "own-secret",
                "switchboard.integrations.nightly.trigger", "schedule")));
        return environment;
    }
}
