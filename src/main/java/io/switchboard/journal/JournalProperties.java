package io.switchboard.journal;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code switchboard.journal.*}: what the journal shows and how long it keeps it.
 *
 * @param maskedFields    JSON field names whose values are shown as {@code ***} (any depth, case-insensitive)
 * @param maxPayloadShown payloads longer than this are cut when shown
 * @param retention       finished events older than this are purged
 * @param purgeBatch      rows deleted per transaction by the purge, so it never holds long locks
 * @param searchesPerMinute payload searches ({@code GET /api/events?q=}) one account may make per
 *                        minute, in bursts of as many; more get 429 with {@code Retry-After}
 */
@ConfigurationProperties("switchboard.journal")
public record JournalProperties(List<String> maskedFields, DataSize maxPayloadShown, Duration retention,
        int purgeBatch, int searchesPerMinute) {

    public JournalProperties {
        maskedFields = maskedFields == null ? List.of("password", "secret", "token", "apiKey", "api_key",
                "accessToken", "access_token", "refreshToken", "authorization", "cardNumber", "card_number", "cvv",
                "iban", "ssn") : List.copyOf(maskedFields);
        maxPayloadShown = maxPayloadShown == null ? DataSize.ofKilobytes(64) : maxPayloadShown;
        retention = retention == null ? Duration.ofDays(30) : retention;
        purgeBatch = purgeBatch <= 0 ? 1000 : purgeBatch;
        searchesPerMinute = searchesPerMinute <= 0 ? 60 : searchesPerMinute;
    }
}
