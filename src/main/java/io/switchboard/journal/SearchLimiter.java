package io.switchboard.journal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.springframework.stereotype.Component;

/**
 * Payload searches per account ({@code switchboard.journal.searches-per-minute}): enough for a
 * person and a console polling every 4 s, too few to probe the journal by script. Accounts
 * come from configuration, so the table stays small.
 */
@Component
class SearchLimiter {

    private final int perMinute;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    SearchLimiter(JournalProperties properties) {
        this.perMinute = properties.searchesPerMinute();
    }

    /** Null when the account may search now, else how long it should wait. */
    Duration waitBeforeSearch(String account) {
        // The whole budget comes back once a minute, not a search per second: a scraper gets
        // exactly searches-per-minute in any first minute, however slowly it asks.
        ConsumptionProbe probe = buckets.computeIfAbsent(account, ignored -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perMinute).refillIntervally(perMinute, Duration.ofMinutes(1))
                        .build())
                .build()).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? null : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }
}
