/**
 * The web console at {@code /console}: a small static app over the JSON API, who is looking at
 * it, and {@code /api/integrations}, the cards that bring each integration's parts together.
 */
package io.switchboard.console;
