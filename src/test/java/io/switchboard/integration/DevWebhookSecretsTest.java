package io.switchboard.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Dev without secrets: a generated webhook secret in dev and the demo, never in production profiles. */
class DevWebhookSecretsTest {

    @Test
    void devAndDemoGiveAWebhookWithoutASecretAGeneratedOne() {
        for (String[] profiles : new String[][] {{}, {"dev", "default"}, {"default"}}) {
            StandardEnvironment environment = environment(profiles);
            DevWebhookSecrets.fillIn(environment);
            String secret = environment.getProperty("switchboard.integrations.order-paid.webhook.secret");
            assertThat(secret).as("profiles %s", (Object) profiles).startsWith("whsec_");
            assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(24);
            assertThat(environment.getProperty("switchboard.integrations.signed.webhook.secret"))
                    .as("a secret that is set is kept").isEqualTo("whsec_c2V0");
            assertThat(environment.getProperty("switchboard.integrations.lookup.webhook.secret"))
                    .as("not a webhook").isNull();
        }
    }

    @Test
    void productionProfilesGenerateNothing() {
        for (String[] profiles : new String[][] {{"postgres"}, {"cluster", "postgres"}, {"dev", "postgres"}, {"test"},
                {"staging"}}) {
            StandardEnvironment environment = environment(profiles);
            DevWebhookSecrets.fillIn(environment);
            assertThat(environment.getProperty("switchboard.integrations.order-paid.webhook.secret"))
                    .as("profiles %s", (Object) profiles).isEmpty();
        }
    }

    @Test
    void theGeneratedSecretIsKeptForTheRunAndDroppedOnceOneIsSet() {
        StandardEnvironment environment = environment("dev");
        DevWebhookSecrets.fillIn(environment);
        String first = environment.getProperty("switchboard.integrations.order-paid.webhook.secret");
        DevWebhookSecrets.fillIn(environment);
        assertThat(environment.getProperty("switchboard.integrations.order-paid.webhook.secret")).isEqualTo(first);

        environment.getPropertySources().addLast(new MapPropertySource("later",
                Map.of("switchboard.integrations.order-paid.webhook.secret", "whsec_b3du")));
        environment.getPropertySources().remove("cards");
        DevWebhookSecrets.fillIn(environment);
        assertThat(environment.getProperty("switchboard.integrations.order-paid.webhook.secret")).isEqualTo("whsec_b3du");
    }

    private static StandardEnvironment environment(String... profiles) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.setActiveProfiles(profiles);
        Map<String, Object> cards = new LinkedHashMap<>();
        cards.put("switchboard.integrations.order-paid.trigger", "webhook");
        // the placeholder of a committed card whose variable is not set
        cards.put("switchboard.integrations.order-paid.webhook.secret", "");
        cards.put("switchboard.integrations.signed.trigger", "webhook");
        cards.put("switchboard.integrations.signed.webhook.secret", "whsec_c2V0");
        cards.put("switchboard.integrations.lookup.trigger", "api");
        environment.getPropertySources().addLast(new MapPropertySource("cards", cards));
        return environment;
    }
}
