/**
 * The sandbox: simulated external systems (a CRM behind OAuth2, mail and billing behind
 * API keys, a chat incoming webhook) under {@code /sandbox}, with state in the database and
 * injectable faults, so the integrations run end to end on a fresh machine and in tests.
 * On only when {@code switchboard.sandbox.enabled} is true.
 */
package io.switchboard.sandbox;
