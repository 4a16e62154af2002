package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.journal.EventQueries;
import io.switchboard.journal.JournalProperties;
import io.switchboard.journal.JournalSearchIndex;
import io.switchboard.journal.PayloadMask;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** On PostgreSQL, journal search by a payload value is answered from a trigram index, not by reading every payload. */
class JournalSearchPostgresIT {

    private String schema;
    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;

    @BeforeEach
    void migrate() throws Exception {
        schema = Databases.newPostgresSchema("search");
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(Databases.postgresUrl(schema));
        dataSource.setUsername(Databases.POSTGRES_USER);
        dataSource.setMaximumPoolSize(2);
        Flyway.configure().dataSource(dataSource).schemas(schema)
                .locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void drop() throws Exception {
        dataSource.close();
        Databases.dropPostgresSchema(schema);
    }

    @Test
    void withTheSettingOffThereIsNoPayloadIndexAndTurningItOffDropsIt() {
        assertThat(new JournalSearchIndex(jdbc, new Database(jdbc.getDataSource()), "none").apply()).isFalse();
        assertThat(new JournalSearchIndex(jdbc, new Database(jdbc.getDataSource()), "trigram").apply()).isTrue();
        assertThat(indexes()).contains("event_payload_trgm", "event_delivery_id");
        assertThat(new JournalSearchIndex(jdbc, new Database(jdbc.getDataSource()), "none").apply()).isFalse();
        assertThat(indexes()).doesNotContain("event_payload_trgm").contains("event_delivery_id");
    }

    private List<String> indexes() {
        return jdbc.queryForList("select indexname from pg_indexes where schemaname = current_schema() "
                + "and tablename = 'event'", String.class);
    }

    @Test
    void aPayloadValueIsFoundThroughTheTrigramIndex() {
        jdbc.update("insert into event (id, integration, status, attempts, payload, received_at, updated_at) "
                + "select 'e-' || n, 'lead-intake', 'DONE', 1, '{\"email\":\"lead' || n || '@volume-test.io\"}', now(), now() "
                + "from generate_series(1, 2000) n");
        // switchboard.journal.search-index: trigram builds the payload index (the default, none, leaves it out).
        assertThat(new JournalSearchIndex(jdbc, new Database(jdbc.getDataSource()), "trigram").apply()).isTrue();
        JournalProperties properties = new JournalProperties(null, null, null, 0, 0);
        EventQueries queries = new EventQueries(jdbc, properties, new PayloadMask(properties, new ObjectMapper()),
                Clock.systemUTC());
        List<EventQueries.EventSummary> found = queries.find(new EventQueries.Filter(null, null, "lead1234@volume",
                null, null, 50, 0));
        assertThat(found).extracting(EventQueries.EventSummary::id).containsExactly("e-1234");

        // The planner may scan a table this small anyway; with scans off it must be able to use the index.
        List<String> plan = jdbc.execute((Connection c) -> {
            try (var statement = c.createStatement()) {
                statement.execute("set enable_seqscan = off");
                List<String> lines = new ArrayList<>();
                // The query EventQueries.find sends for ?q=: an id, a delivery id or a payload value.
                try (var rs = statement.executeQuery("explain select * from event where 1 = 1 and (id = 'lead1234@volume' "
                        + "or delivery_id = 'lead1234@volume' or payload like '%lead1234@volume%') "
                        + "order by received_at desc, id limit 50")) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
                return lines;
            }
        });
        assertThat(String.join("\n", plan)).contains("event_payload_trgm").contains("event_delivery_id")
                .doesNotContain("Seq Scan");
    }
}
