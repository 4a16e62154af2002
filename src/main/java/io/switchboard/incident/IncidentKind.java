package io.switchboard.incident;

import java.util.Locale;

/** What kind of cause an incident has, which decides what happens next and who must act. */
public enum IncidentKind {

    /** A system answers 5xx, times out or refuses connections: events retry by themselves. */
    SYSTEM_DOWN(true),
    /** A system refuses the credentials or a grant was revoked: a person reconnects or fixes the secret. */
    CREDENTIALS(false),
    /** A system forbids an operation (403): a person grants the scope, then replays. */
    PERMISSION(false),
    /** Payloads the route cannot use: a person fixes the data (or the sender) and replays. */
    DATA(false),
    /** The route itself fails: a person deploys a fix, then re-runs the events. */
    BUG(false),
    /** Something else that may pass (a timeout outside a connection): events retry by themselves. */
    TRANSIENT(true);

    private final boolean retriesByItself;

    IncidentKind(boolean retriesByItself) {
        this.retriesByItself = retriesByItself;
    }

    /** Whether the affected events are retried without anybody acting. */
    public boolean retriesByItself() {
        return retriesByItself;
    }

    /** As the API shows it, e.g. {@code system-down}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
