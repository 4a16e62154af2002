package io.switchboard.journal;

import java.time.Instant;
import java.util.Map;

/**
 * Activity of integrations that do not run on inbox events, such as a schedule's runs,
 * merged into their {@link IntegrationHealth}: a run counts as activity (so a sync that
 * stopped running shows as silent), a successful run as a success.
 */
public interface ActivitySource {

    /** Per integration id. */
    Map<String, Activity> activity();

    /** When it last ran, last succeeded and last failed; any may be {@code null}. */
    record Activity(Instant lastRun, Instant lastSuccess, Instant lastFailure) {
    }
}
