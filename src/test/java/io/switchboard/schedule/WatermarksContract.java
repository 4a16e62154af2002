package io.switchboard.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import io.switchboard.journal.NodeId;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * What a scheduled sync relies on from its watermark store, checked on each database: one
 * run at a time, the watermark moving only forward and only by the run that holds the
 * claim, runs booked with their numbers, a dead node's claim taken over.
 */
abstract class WatermarksContract {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private JdbcTemplate jdbc;
    private Watermarks watermarks;

    /** A migrated, empty database. */
    abstract DataSource dataSource();

    Watermarks watermarks() {
        if (watermarks == null) {
            DataSource dataSource = dataSource();
            jdbc = new JdbcTemplate(dataSource);
            watermarks = new Watermarks(jdbc, new DataSourceTransactionManager(dataSource), Clock.systemUTC(),
                    new NodeId("test-node"), Duration.ofMinutes(5), Duration.ofDays(7));
        }
        return watermarks;
    }

    static void migrate(DataSource dataSource, String... locations) {
        Flyway.configure().dataSource(dataSource).locations(locations).load().migrate();
    }

    @Test
    void aRunClaimsTheSyncUntilItFinishes() {
        Optional<SyncRun> first = watermarks().claim("sync-a");
        assertThat(first).isPresent();
        assertThat(first.get().since()).isNull();
        assertThat(watermarks().claim("sync-a")).as("a second run while the first is going").isEmpty();
        assertThat(watermarks().claim("sync-b")).as("another sync is independent").isPresent();

        watermarks().finish(exchange(first.get(), List.of(), null));

        Optional<SyncRun> next = watermarks().claim("sync-a");
        assertThat(next).isPresent();
        watermarks().finish(exchange(next.get(), List.of(), null));
        assertThat(watermarks().runs("sync-a", 10)).extracting(Watermarks.RunRecord::status)
                .containsExactly(Watermarks.OK, Watermarks.OK);
        assertThat(watermarks().state("sync-a").orElseThrow().lastSuccessAt()).isNotNull();
        assertThat(watermarks().activity().get("sync-a").lastSuccess()).isNotNull();
    }

    @Test
    void watermarkMovesPageByPageAndAFailedRunKeepsWhatItStored() {
        SyncRun run = watermarks().claim("sync-c").orElseThrow();
        watermarks().pageDone(exchange(run, List.of("a", "b"), T0.plusSeconds(10)));
        run.countUpsert();
        watermarks().pageDone(exchange(run, List.of("c"), T0.plusSeconds(20)));
        watermarks().failed(run, "transient: HTTP 503 from billing");

        assertThat(watermarks().state("sync-c").orElseThrow().watermark()).isEqualTo(T0.plusSeconds(20));
        Watermarks.RunRecord failed = watermarks().runs("sync-c", 1).get(0);
        assertThat(failed.status()).isEqualTo(Watermarks.FAILED);
        assertThat(failed.pages()).isEqualTo(2);
        assertThat(failed.records()).isEqualTo(3);
        assertThat(failed.upserted()).isEqualTo(1);
        assertThat(failed.error()).contains("503");
        assertThat(watermarks().state("sync-c").orElseThrow().runningRunId()).isNull();

        SyncRun next = watermarks().claim("sync-c").orElseThrow();
        assertThat(next.since()).isEqualTo(T0.plusSeconds(20));
        // A page never moves the watermark back.
        watermarks().pageDone(exchange(next, List.of("z"), T0));
        watermarks().finish(exchange(next, List.of(), null));
        assertThat(watermarks().state("sync-c").orElseThrow().watermark()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void claimLeftByADeadNodeIsTakenOverAndItsRunBookedAsAbandoned() {
        SyncRun dead = watermarks().claim("sync-d").orElseThrow();
        jdbc.update("update sync_watermark set leased_until = ? where integration = ?",
                Timestamp.from(Instant.now().minusSeconds(1)), "sync-d");

        SyncRun next = watermarks().claim("sync-d").orElseThrow();

        assertThat(next.id()).isNotEqualTo(dead.id());
        assertThat(watermarks().runs("sync-d", 10)).filteredOn(r -> r.id().equals(dead.id()))
                .extracting(Watermarks.RunRecord::status).containsExactly(Watermarks.ABANDONED);
        // The dead run cannot move the watermark any more.
        watermarks().pageDone(exchange(dead, List.of("x"), T0));
        assertThat(watermarks().state("sync-d").orElseThrow().watermark()).isNull();
    }

    @Test
    void rewindIsRefusedWhileARunIsGoing() {
        SyncRun run = watermarks().claim("sync-e").orElseThrow();
        assertThat(watermarks().rewind("sync-e", T0)).isFalse();
        watermarks().finish(exchange(run, List.of(), null));
        assertThat(watermarks().rewind("sync-e", T0)).isTrue();
        assertThat(watermarks().state("sync-e").orElseThrow().watermark()).isEqualTo(T0);
        assertThat(watermarks().rewind("sync-new", null)).isTrue();
    }

    @Test
    void failedRunWithoutAnExceptionNamesItsLatestDeadLetter() {
        SyncRun run = watermarks().claim("sync-f").orElseThrow();
        jdbc.update("insert into dead_letter (id, integration, route_id, category, attempts, first_failed_at, "
                + "last_failed_at, status, exception_message) values ('dl-1', 'sync-f', 'sync-f', 'invalid-data', 1, ?, ?, "
                + "'PARKED', 'billing invoice inv_1: currency')", Timestamp.from(Instant.now()),
                Timestamp.from(Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1)));
        assertThat(watermarks().reason(exchange(run, List.of(), null), run))
                .isEqualTo("invalid-data: billing invoice inv_1: currency");
    }

    private static Exchange exchange(SyncRun run, List<?> page, Instant pageWatermark) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(SyncRun.PROPERTY, run);
        exchange.getMessage().setBody(page);
        if (pageWatermark != null) {
            exchange.setProperty(Watermarks.PAGE_WATERMARK, pageWatermark);
        }
        return exchange;
    }
}
