package io.switchboard.inbox;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids: time-ordered UUIDs (version 7, RFC 9562). New ids land at the right-hand end
 * of the primary-key index instead of at a random page, which keeps inserts cheap on a
 * large journal, and they need no lock on a shared secure random source. An event id is a
 * reference, not a secret: the sender gets it back in the 202.
 */
public final class EventIds {

    private EventIds() {
    }

    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
