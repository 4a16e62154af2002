package io.switchboard.journal;

import java.util.Locale;

import io.switchboard.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The journal's payload search index on PostgreSQL, by {@code switchboard.journal.search-index}:
 * {@code trigram} builds a pg_trgm GIN index on the payload, so a search by any payload value
 * reads the index instead of every stored payload (at 1,000,000 events: 66 ms instead of
 * 353 ms); {@code none} (the default) leaves it out, because keeping it costs every insert
 * (ingest on PostgreSQL at 64 connections: 3,900/s with it, 10,400/s without; see
 * src/docs/benchmarks.md). The index is built without locking the table (CONCURRENTLY), in the
 * background after the start, and dropped again when the setting goes back to {@code none}.
 * H2 has no such index: its search reads the payloads.
 */
@Component
public class JournalSearchIndex {

    static final String INDEX = "event_payload_trgm";
    private static final Logger log = LoggerFactory.getLogger(JournalSearchIndex.class);

    private final JdbcTemplate jdbc;
    private final String mode;

    private final Database database;

    public JournalSearchIndex(JdbcTemplate jdbc, Database database,
            @Value("${switchboard.journal.search-index:none}") String mode) {
        this.jdbc = jdbc;
        this.database = database;
        this.mode = mode.trim().toLowerCase(Locale.ROOT);
        if (!this.mode.equals("none") && !this.mode.equals("trigram")) {
            throw new IllegalArgumentException("switchboard.journal.search-index is '" + mode
                    + "'; it may be trigram (an index for payload search, PostgreSQL only) or none");
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStart() {
        if (!database.postgres()) {
            return;
        }
        Thread worker = new Thread(this::apply, "journal-search-index");
        worker.setDaemon(true);
        worker.start();
    }

    /** Makes the index match the setting; true when the trigram index is there afterwards. */
    public boolean apply() {
        try {
            boolean present = indexPresent();
            if (mode.equals("none")) {
                if (present) {
                    jdbc.execute("drop index concurrently if exists " + INDEX);
                    log.info("journal search index {} dropped (switchboard.journal.search-index: none)", INDEX);
                }
                return false;
            }
            if (present) {
                return true;
            }
            try {
                jdbc.execute("create extension if not exists pg_trgm with schema public");
            } catch (RuntimeException notAllowed) {
                // Checked below: the extension may exist already although this user may not create it.
            }
            Integer installed = jdbc.queryForObject("select count(*) from pg_extension e join pg_namespace n on "
                    + "n.oid = e.extnamespace where e.extname = 'pg_trgm' and n.nspname = 'public'", Integer.class);
            if (installed == null || installed == 0) {
                log.warn("switchboard.journal.search-index is trigram, but pg_trgm is not installed in the public "
                        + "schema and this user may not install it: ask an administrator to run CREATE EXTENSION "
                        + "pg_trgm WITH SCHEMA public; journal search reads the payloads until then");
                return false;
            }
            long started = System.nanoTime();
            jdbc.execute("create index concurrently if not exists " + INDEX + " on event using gin "
                    + "(payload public.gin_trgm_ops)");
            log.info("journal search index {} built in {} ms", INDEX, (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (RuntimeException e) {
            log.warn("journal search index {} not changed: {}", INDEX, e.getMessage());
            return false;
        }
    }

    private boolean indexPresent() {
        Integer found = jdbc.queryForObject("select count(*) from pg_indexes where indexname = ? "
                + "and schemaname = current_schema()", Integer.class, INDEX);
        return found != null && found > 0;
    }
}
