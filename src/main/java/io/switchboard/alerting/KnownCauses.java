package io.switchboard.alerting;

/**
 * Failures whose cause is already known and alerted once (an open incident), so the per
 * integration failure-rate alert does not page again for the same outage.
 */
public interface KnownCauses {

    /** Whether the integration's recent failures belong to an unresolved incident. */
    boolean explains(String integration);
}
