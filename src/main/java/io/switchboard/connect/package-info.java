/**
 * Connections to external systems: one configured connection per system (base URL, auth,
 * timeouts, rate limit), called from routes as {@code connection:<name>/<path>}, with
 * OAuth2 client-credentials tokens, least-privilege scopes and a live state per connection.
 */
package io.switchboard.connect;
