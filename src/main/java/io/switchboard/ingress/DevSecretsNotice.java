package io.switchboard.ingress;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.integration.CardChanged;
import io.switchboard.integration.DevWebhookSecrets;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Webhook;
import io.switchboard.integration.WebhookSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Prints a generated dev webhook secret ({@link DevWebhookSecrets}) once, at start or when its
 * card arrives, with a one-line shell command that sends the schema's example payload (or
 * {@code {"test":true}}) to the integration's URL, signed as its scheme wants.
 */
@Component
class DevSecretsNotice {

    private static final Logger log = LoggerFactory.getLogger(DevSecretsNotice.class);

    private final DevWebhookSecrets secrets;
    private final IntegrationsProperties integrations;
    private final WebhookIngress ingress;
    private final Environment environment;
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    DevSecretsNotice(DevWebhookSecrets secrets, IntegrationsProperties integrations, WebhookIngress ingress,
            Environment environment) {
        this.secrets = secrets;
        this.integrations = integrations;
        this.ingress = ingress;
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStart() {
        secrets.integrations().forEach(this::announce);
    }

    @EventListener
    void cardChanged(CardChanged changed) {
        announce(changed.integration());
    }

    private void announce(String id) {
        String secret = secrets.secretOf(id).orElse(null);
        Webhook webhook = integrations.find(id).map(IntegrationsProperties.Integration::webhook).orElse(null);
        if (secret == null || webhook == null || !announced.add(id)) {
            return;
        }
        String url = "http://localhost:" + environment.getProperty("local.server.port",
                environment.getProperty("server.port", "8080")) + "/webhooks/" + id;
        String body = ingress.examplePayload(id).map(Object::toString).orElse("{\"test\":true}");
        log.warn("Webhook integration '{}' has no secret set ({} is empty), so this dev run generated one, kept in "
                + "memory until the server stops: {} (never in production: there the start stops instead). Send a "
                + "signed test delivery with: {}", id, WebhookSecrets.variable(id), secret,
                curl(webhook.auth() == null ? "standard-webhooks" : webhook.auth().toLowerCase(Locale.ROOT),
                        webhook.apiKeyHeader(), url, secret, body));
    }

    /** One shell line that sends {@code body} signed as the integration's scheme expects. */
    static String curl(String auth, String apiKeyHeader, String url, String secret, String json) {
        String body = "BODY='" + json.replace("'", "'\\''") + "'; ";
        String post = "curl -i " + url + " -H 'Content-Type: application/json' ";
        return switch (auth) {
            case "api-key" -> body + post + "-H '" + apiKeyHeader + ": " + secret + "' -d \"$BODY\"";
            case "github" -> body + "SIG=$(printf '%s' \"$BODY\" | openssl dgst -sha256 -hmac '" + secret
                    + "' | sed 's/^.* //'); " + post
                    + "-H \"X-GitHub-Delivery: $(date +%s%N)\" -H \"X-Hub-Signature-256: sha256=$SIG\" -d \"$BODY\"";
            case "stripe" -> body + "TS=$(date +%s); SIG=$(printf '%s' \"$TS.$BODY\" | openssl dgst -sha256 -hmac '"
                    + secret + "' | sed 's/^.* //'); " + post + "-H \"Stripe-Signature: t=$TS,v1=$SIG\" -d \"$BODY\"";
            default -> "SECRET=" + secret + "; " + body + "ID=msg_$(date +%s%N); TS=$(date +%s); "
                    + "SIG=$(printf '%s' \"$ID.$TS.$BODY\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf '%s' "
                    + "\"${SECRET#whsec_}\" | base64 -d | xxd -p -c 256) -binary | base64); " + post
                    + "-H \"webhook-id: $ID\" -H \"webhook-timestamp: $TS\" -H \"webhook-signature: v1,$SIG\" -d \"$BODY\"";
        };
    }
}
