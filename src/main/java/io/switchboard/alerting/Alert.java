package io.switchboard.alerting;

import java.time.Instant;

/**
 * One ongoing problem, as a person sees it: what it is ({@code key}, e.g.
 * {@code connection:crm:credentials-rejected}), since when, and how often it happened.
 *
 * @param key         what makes two occurrences the same outage
 * @param integration the integration it concerns, or {@code null} for a connection or the server
 * @param title       one line for a chat message or an e-mail subject
 * @param detail      what happened and what to do; never a secret
 * @param firstAt     when this outage began
 * @param lastAt      the latest occurrence
 * @param count       occurrences so far in this outage
 * @param resolvedAt  when it cleared, or {@code null} while it goes on
 */
public record Alert(String key, String integration, String title, String detail, Instant firstAt, Instant lastAt,
        long count, Instant resolvedAt) {
}
