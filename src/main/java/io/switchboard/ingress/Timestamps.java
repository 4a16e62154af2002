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
        long now = Instant.now(clock).getEpochSecond();
        long limit = tolerance.toSeconds();
        // Compared without subtracting first: now - seconds overflows for values near
        // Long.MIN_VALUE, and Math.abs(Long.MIN_VALUE) is negative, which once let those in.
        if (seconds < now - limit || seconds > now + limit) {
            boolean past = seconds < now;
            String distance = past ? Long.toUnsignedString(now - seconds) : Long.toUnsignedString(seconds - now);
            throw WebhookRejection.unauthorized("'" + name + "' is " + distance + " s in the "
                    + (past ? "past" : "future") + "; the tolerance is " + limit
                    + " s. Sign each delivery when it is sent, and check the sender's clock.");
        }
    }
}
