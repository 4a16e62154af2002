/**
 * Alerts for the people on call: raised once per outage (de-duplicated by key, with a
 * count), resolved when the trouble is over, and sent to every {@link io.switchboard.alerting.AlertSink}.
 */
package io.switchboard.alerting;
