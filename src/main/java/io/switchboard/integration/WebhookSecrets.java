package io.switchboard.integration;

import java.util.Locale;

/** What a webhook integration without a secret is told, at start and on a card's reload. */
public final class WebhookSecrets {

    private WebhookSecrets() {
    }

    /** The environment variable a card's placeholder names by convention: {@code LEAD_INTAKE_WEBHOOK_SECRET}. */
    public static String variable(String id) {
        return id.toUpperCase(Locale.ROOT).replace('-', '_') + "_WEBHOOK_SECRET";
    }

    public static String missing(String id) {
        return "switchboard.integrations." + id + ".webhook.secret is empty: set it from the environment (e.g. secret: ${"
                + variable(id) + "} in routes/" + id + ".card.yaml); a webhook without a secret would let anyone in. "
                + "Only the dev and demo profiles generate one for the run. See README.md#webhook-secrets.";
    }
}
