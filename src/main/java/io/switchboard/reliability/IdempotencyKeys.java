package io.switchboard.reliability;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * An integration's idempotency keys read and written many at a time, for a route that
 * sends its records to the target in batches: an {@code idempotentConsumer} per record
 * would cost a database round trip per record. The keys are the same rows the
 * integration's Camel repository ({@code <integration>-idempotency}) keeps in
 * {@code camel_messageprocessed} under the integration id, so both see the same keys, the
 * nightly purge expires them alike, and keys written before a route switched to batches
 * still count.
 */
@Component
public class IdempotencyKeys {

    /** Keys per {@code in (...)} query, well inside every database's limit on parameters. */
    private static final int QUERY_CHUNK = 500;

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public IdempotencyKeys(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Which of {@code keys} the integration has recorded already: one query per 500 keys. */
    public Set<String> known(String integration, Collection<String> keys) {
        Set<String> known = new HashSet<>();
        List<String> all = new ArrayList<>(new LinkedHashSet<>(keys));
        for (int from = 0; from < all.size(); from += QUERY_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + QUERY_CHUNK));
            Object[] args = new Object[chunk.size() + 1];
            for (int i = 0; i < chunk.size(); i++) {
                args[i] = chunk.get(i);
            }
            args[chunk.size()] = integration;
            // Joined with the keys as a table rather than "message_id in (...)": every key is then
            // one lookup in the (processor_name, message_id) index, where H2 would otherwise read
            // all of the integration's keys and filter them.
            known.addAll(jdbc.queryForList("select m.message_id from (values " + "(?),".repeat(chunk.size() - 1)
                    + "(?)) as k (message_id) join camel_messageprocessed m on m.processor_name = ? "
                    + "and m.message_id = k.message_id", String.class, args));
        }
        return known;
    }

    /**
     * Records {@code keys} in one JDBC batch; a key recorded already stays as it is (so
     * recording a batch twice, e.g. after a crash between the write and this call, is no
     * error).
     */
    public void add(String integration, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now(clock));
        List<Object[]> rows = new ArrayList<>(keys.size());
        for (String key : new LinkedHashSet<>(keys)) {
            rows.add(new Object[] {integration, key, now, integration, key});
        }
        // Every row takes its own value of the sequence JPA allocates from: JPA hands out ids
        // only from the values it fetched itself, so the two never pick the same id.
        jdbc.batchUpdate("insert into camel_messageprocessed (id, processor_name, message_id, created_at) "
                + "select nextval('camel_messageprocessed_seq'), ?, ?, ? where not exists (select 1 from "
                + "camel_messageprocessed where processor_name = ? and message_id = ?)", rows);
    }
}
