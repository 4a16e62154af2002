package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** A new webhook integration without a secret does not stop any test's server: it gets a test secret. */
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
    void everyProfileATestStartsGetsThemToo() {
        // ClusterIT's nodes run the cluster profile, IngestSmokePostgresIT's server the postgres profile.
        for (String profile : new String[] {"cluster", "postgres", "default"}) {
            StandardEnvironment environment = environment(profile);
            new TestSecrets().postProcessEnvironment(environment, null);
            assertThat(environment.getProperty("switchboard.integrations.ticket-intake.webhook.secret")).as(profile)
                    .isEqualTo(TestSecrets.forIntegration("ticket-intake", "standard-webhooks"));
        }
    }

    @Test
    void switchedOffNothingIsFilledIn() {
        StandardEnvironment environment = environment("test");
        environment.getPropertySources().addFirst(new MapPropertySource("off", Map.of(TestSecrets.SWITCH, "off")));
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
