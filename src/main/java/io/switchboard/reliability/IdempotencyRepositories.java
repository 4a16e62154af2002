package io.switchboard.reliability;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.persistence.EntityManagerFactory;

import io.switchboard.integration.IntegrationsProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jpa.JpaMessageIdRepository;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * One JPA-backed idempotency key store per integration, registered in Camel as
 * {@code <integration>-idempotency} for the route's {@code idempotentConsumer}. Keys live in
 * the database (unique on processor and key), so they hold across restarts and nodes;
 * keys older than the retention are purged nightly.
 */
@Component
public class IdempotencyRepositories implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyRepositories.class);
    private static final int PURGE_BATCH = 5000;

    private final IntegrationsProperties integrations;
    private final EntityManagerFactory entityManagerFactory;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration retention;

    public IdempotencyRepositories(IntegrationsProperties integrations, EntityManagerFactory entityManagerFactory,
            JdbcTemplate jdbc, Clock clock,
            @Value("${switchboard.reliability.idempotency-retention:30d}") Duration retention) {
        this.integrations = integrations;
        this.entityManagerFactory = entityManagerFactory;
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
    }

    public static String beanName(String integration) {
        return integration + "-idempotency";
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        integrations.all().keySet().forEach(id -> camelContext.getRegistry()
                .bind(beanName(id), new ResumableIdempotencyRepository(
                        new JpaMessageIdRepository(entityManagerFactory, id))));
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing: the stores are ready before the routes start
    }

    /**
     * Deletes expired keys in small batches, so the purge never holds a long lock on a
     * table that every event touches.
     */
    @Scheduled(cron = "${switchboard.reliability.purge-cron:0 17 3 * * *}")
    public int purgeExpiredKeys() {
        Timestamp cutoff = Timestamp.from(Instant.now(clock).minus(retention));
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update("delete from camel_messageprocessed where id in (select id from camel_messageprocessed "
                    + "where created_at < ? order by id limit " + PURGE_BATCH + ")", cutoff);
            total += deleted;
        } while (deleted == PURGE_BATCH);
        if (total > 0) {
            log.info("purged {} idempotency keys older than {}", total, retention);
        }
        return total;
    }
}
