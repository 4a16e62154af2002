package io.switchboard.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Card files bind as cards in config do, and config wins over a card file key by key. */
class CardFilesTest {

    @TempDir
    Path routes;

    @Test
    void aCardFileBindsLikeTheSameKeysInConfigAndConfigWinsKeyByKey() throws Exception {
        Files.writeString(routes.resolve("order-paid.card.yaml"), """
                trigger: webhook
                card:
                  description: Paid orders to the CRM
                  owner: ops
                  expected-interval: 6h
                webhook:
                  auth: api-key
                  secret: ${ORDER_PAID_WEBHOOK_SECRET:}
                  rate-limit: 100
                settings:
                  warehouse: ops@shop.example
                """);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("config", Map.of(
                "switchboard.integrations.order-paid.webhook.rate-limit", "5",
                "ORDER_PAID_WEBHOOK_SECRET", "from-the-environment",
                "switchboard.integrations.legacy.trigger", "api",
                "switchboard.integrations.legacy.card.owner", "ops")));
        CardFiles.install(environment, CardFiles.readAll(routes));

        IntegrationsProperties bound = Binder.get(environment).bind("switchboard",
                Bindable.of(IntegrationsProperties.class)).get();
        IntegrationsProperties.Integration card = bound.find("order-paid").orElseThrow();
        assertThat(card.trigger()).isEqualTo(Trigger.WEBHOOK);
        assertThat(card.card().description()).isEqualTo("Paid orders to the CRM");
        assertThat(card.card().expectedInterval()).hasHours(6);
        assertThat(card.webhook().rateLimit()).as("config wins").isEqualTo(5);
        assertThat(card.webhook().secret()).containsExactly("from-the-environment");
        assertThat(card.settings()).containsEntry("warehouse", "ops@shop.example");
        assertThat(bound.find("legacy")).as("a card only in config still works").isPresent();
    }

    @Test
    void aFileThatIsNotACardIsRefusedNamingItAndWhatToFix() throws Exception {
        Path nested = Files.writeString(routes.resolve("order-paid.card.yaml"),
                "switchboard:\n  integrations:\n    order-paid:\n      trigger: webhook\n");
        assertThatThrownBy(() -> CardFiles.read(nested)).hasMessageContaining("order-paid.card.yaml")
                .hasMessageContaining("unknown key [switchboard]");
        Path badName = Files.writeString(routes.resolve("Order_Paid.card.yaml"), "trigger: webhook\n");
        assertThatThrownBy(() -> CardFiles.read(badName)).hasMessageContaining("kebab-case");
        Path broken = Files.writeString(routes.resolve("broken.card.yaml"), "trigger: [webhook\n");
        assertThatThrownBy(() -> CardFiles.read(broken)).hasMessageContaining("broken.card.yaml")
                .hasMessageContaining("line");
    }
}
