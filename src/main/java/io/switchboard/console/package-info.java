/** The web console at {@code /console}: a small static app over the JSON API, and who is looking at it. */
package io.switchboard.console;
