package io.switchboard.ingress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Replay protection: a signed timestamp must be within the tolerance of now, in either direction. */
final class Timestamps {

    private Timestamps() {
    }

    static void checkWithin(String epochSeconds, String name, Clock clock, Duration tolerance) {
        long seconds;
        try {
            seconds = Long.parseLong(epochSeconds.trim());
        } catch (NumberFormatException e) {
            throw WebhookRejection.unauthorized("'" + name + "' must be Unix time in seconds.");
        }
        long skew = Instant.now(clock).getEpochSecond() - seconds;
        if (Math.abs(skew) > tolerance.toSeconds()) {
            throw WebhookRejection.unauthorized("'" + name + "' is " + Math.abs(skew) + " s in the "
                    + (skew > 0 ? "past" : "future") + "; the tolerance is " + tolerance.toSeconds()
                    + " s. Sign each delivery when it is sent, and check the sender's clock.");
        }
    }
}
