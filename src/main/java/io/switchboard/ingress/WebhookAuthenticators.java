package io.switchboard.ingress;

import java.time.Clock;

import io.switchboard.integration.IntegrationsProperties.Webhook;

/** Picks the authentication scheme an integration's webhook settings name. */
final class WebhookAuthenticators {

    static final String STANDARD_WEBHOOKS = "standard-webhooks";
    static final String GITHUB = "github";
    static final String STRIPE = "stripe";
    static final String API_KEY = "api-key";

    private WebhookAuthenticators() {
    }

    static WebhookAuthenticator forSettings(String integration, Webhook webhook, Clock clock) {
        String scheme = webhook.auth() == null ? "" : webhook.auth();
        return switch (scheme) {
            case STANDARD_WEBHOOKS -> new StandardWebhooksAuthenticator(clock, webhook.tolerance());
            case GITHUB -> new GitHubAuthenticator();
            case STRIPE -> new StripeAuthenticator(clock, webhook.tolerance());
            case API_KEY -> new ApiKeyAuthenticator(webhook.apiKeyHeader());
            default -> throw new IllegalStateException("switchboard.integrations." + integration
                    + ".webhook.auth must be one of standard-webhooks, github, stripe, api-key (was '" + scheme + "')");
        };
    }
}
