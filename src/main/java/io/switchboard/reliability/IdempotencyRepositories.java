package io.switchboard.reliability;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

import io.switchboard.integration.CardChanged;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.storage.Database;
import io.switchboard.storage.GroupCommit;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One database-backed idempotency key store per integration (Camel's
 * {@link JdbcMessageIdRepository}: one query and one insert in a transaction, no JPA session
 * per event), registered in Camel as
 * {@code <integration>-idempotency} for the route's {@code idempotentConsumer}. Keys live in
 * the database (unique on processor and key), so they hold across restarts and nodes;
 * keys older than the retention are purged nightly.
 */
@Component
public class IdempotencyRepositories implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyRepositories.class);
    private static final int PURGE_BATCH = 5000;

    private final IntegrationsProperties integrations;
    private final DataSource dataSource;
    private final TransactionTemplate transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration retention;
    private final Database database;
    private final GroupCommit groupCommit;

    public IdempotencyRepositories(IntegrationsProperties integrations, DataSource dataSource,
            TransactionTemplate transactions, JdbcTemplate jdbc, Clock clock,
            @Value("${switchboard.reliability.idempotency-retention:30d}") Duration retention, Database database,
            GroupCommit groupCommit) {
        this.database = database;
        this.groupCommit = groupCommit;
        this.integrations = integrations;
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
    }

    public static String beanName(String integration) {
        return integration + "-idempotency";
    }

    private volatile CamelContext camel;

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        this.camel = camelContext;
        integrations.all().keySet().forEach(id -> camelContext.getRegistry()
                .bind(beanName(id), new ResumableIdempotencyRepository(store(id))));
    }

    /** A card added while the server runs (dev): its integration's key store, before its route is loaded. */
    @EventListener
    public void cardChanged(CardChanged changed) {
        CamelContext context = camel;
        String name = beanName(changed.integration());
        if (context != null && integrations.find(changed.integration()).isPresent()
                && context.getRegistry().lookupByName(name) == null) {
            context.getRegistry().bind(name, new ResumableIdempotencyRepository(store(changed.integration())));
        }
    }

    /** The key store of one integration, on the table Flyway made (V3), ids from its sequence. */
    private JdbcMessageIdRepository store(String integration) {
        JdbcMessageIdRepository store = database.postgres()
                ? new OneStatementKeyStore(dataSource, transactions, integration, groupCommit, clock)
                : new JdbcMessageIdRepository(dataSource, transactions, integration);
        store.setCreateTableIfNotExists(false);
        store.setTableExistsString("select 1 from camel_messageprocessed where 1 = 0");
        store.setQueryString("select count(*) from camel_messageprocessed where processor_name = ? and message_id = ?");
        store.setInsertString("insert into camel_messageprocessed (id, processor_name, message_id, created_at) "
                + "values (nextval('camel_messageprocessed_seq'), ?, ?, ?)");
        store.setDeleteString("delete from camel_messageprocessed where processor_name = ? and message_id = ?");
        store.setClearString("delete from camel_messageprocessed where processor_name = ?");
        return store;
    }

    /**
     * On PostgreSQL a key is recorded by one {@code insert … on conflict do nothing}, committed
     * together with the other workers' writes ({@link GroupCommit}) and returned once
     * committed, where Camel's store asks first and inserts after, in a transaction of its
     * own. The unique constraint decides as before; a key two events record at once is
     * refused to the second instead of failing it with a duplicate-key error. (The
     * {@code select} form keeps the driver from rewriting the batch into one multi-row insert,
     * which would hide the count of each row.)
     */
    private static final class OneStatementKeyStore extends JdbcMessageIdRepository {

        private static final String RECORD_KEY = "insert into camel_messageprocessed (id, processor_name, message_id, "
                + "created_at) select nextval('camel_messageprocessed_seq'), ?, ?, ? "
                + "on conflict (processor_name, message_id) do nothing";

        private final GroupCommit groupCommit;
        private final Clock clock;

        OneStatementKeyStore(DataSource dataSource,
                TransactionTemplate transactions, String processorName,
                GroupCommit groupCommit, Clock clock) {
            super(dataSource, transactions, processorName);
            this.groupCommit = groupCommit;
            this.clock = clock;
        }

        @Override
        public boolean add(String key) {
            return groupCommit.update(RECORD_KEY, getProcessorName(), key, Timestamp.from(Instant.now(clock))) == 1;
        }
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
