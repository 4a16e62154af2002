package io.switchboard.sandbox;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The shop's own database, apart from the platform's: an H2 database (in memory by default)
 * with the shop's {@code orders} and a transactional outbox in Debezium's columns. The shop
 * writes an order and its outbox row in one transaction, as an application using the outbox
 * pattern does; an {@code outbox} trigger reads the outbox through the {@code jdbc} connection
 * that names this database's URL, user and password. Not a Spring {@code DataSource} bean on
 * purpose: the platform's own database stays the only one the server wires.
 */
final class SandboxShopDatabase implements AutoCloseable {

    /** The shop's tables; Debezium's outbox event router reads the same outbox columns. */
    static final List<String> SCHEMA = List.of("""
            create table if not exists orders (
              id varchar(64) primary key,
              customer_email varchar(320) not null,
              total_cents bigint not null,
              currency varchar(3) not null,
              status varchar(32) not null,
              created_at timestamp with time zone not null
            )""", """
            create table if not exists outbox (
              id varchar(36) primary key,
              aggregatetype varchar(255) not null,
              aggregateid varchar(255) not null,
              type varchar(255) not null,
              payload varchar(1048576) not null,
              created_at timestamp with time zone not null,
              processed_at timestamp with time zone
            )""", """
            create index if not exists outbox_unprocessed on outbox (processed_at, created_at)""");

    private static final String INSERT_ORDER = "insert into orders (id, customer_email, total_cents, currency, status, "
            + "created_at) values (?, ?, ?, ?, 'placed', ?)";
    private static final String INSERT_OUTBOX = "insert into outbox (id, aggregatetype, aggregateid, type, payload, "
            + "created_at) values (?, 'order', ?, ?, ?, ?)";
    private static final String SELECT_OUTBOX = "select id, aggregatetype, aggregateid, type, payload, created_at, "
            + "processed_at from outbox order by created_at desc, id limit 500";

    /** One order as the API shows it. */
    record OrderRow(String id, String customerEmail, long totalCents, String currency, String status,
            Instant createdAt) {
    }

    /** One outbox row as the API shows it. */
    record OutboxRow(String id, String aggregatetype, String aggregateid, String type, String payload,
            Instant createdAt, Instant processedAt) {
    }

    private final StandInProperties.ShopDb settings;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    private SandboxShopDatabase(StandInProperties.ShopDb settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        // A connection per call is plenty for a demo's few orders, and keeps no pool to size.
        DriverManagerDataSource dataSource = new DriverManagerDataSource(settings.url(), settings.username(),
                settings.password());
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Opens (for an in-memory URL: creates, with this user and password) the database and its tables. */
    static SandboxShopDatabase start(StandInProperties.ShopDb settings, Clock clock) {
        SandboxShopDatabase database = new SandboxShopDatabase(settings, clock);
        SCHEMA.forEach(database.jdbc::execute);
        return database;
    }

    /**
     * Places an order the way the shop's application would: the order and its {@code order.placed}
     * outbox row commit together or not at all. Returns the outbox row's id.
     */
    String placeOrder(String orderId, String email, long totalCents, String currency, String payload) {
        String eventId = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS));
        transactions.executeWithoutResult(status -> {
            // The event first: an order that cannot be written (a duplicate) takes its event back with it.
            jdbc.update(INSERT_OUTBOX, eventId, orderId, "order.placed", payload, now);
            jdbc.update(INSERT_ORDER, orderId, email, totalCents, currency, now);
        });
        return eventId;
    }

    boolean hasOrder(String orderId) {
        return jdbc.queryForObject("select count(*) from orders where id = ?", Integer.class, orderId) > 0;
    }

    /** The orders, newest first (at most 500), as the shop and the integrations that write to it left them. */
    List<OrderRow> orders() {
        return jdbc.query("select id, customer_email, total_cents, currency, status, created_at from orders "
                + "order by created_at desc, id limit 500", (rs, row) -> new OrderRow(rs.getString(1), rs.getString(2),
                rs.getLong(3), rs.getString(4), rs.getString(5), CrmController.instant(rs, 6)));
    }

    List<OutboxRow> outbox() {
        return jdbc.query(SELECT_OUTBOX, (rs, row) -> new OutboxRow(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), CrmController.instant(rs, 6), CrmController.instant(rs, 7)));
    }

    Map<String, Object> counts() {
        return jdbc.queryForMap("select (select count(*) from orders) as orders, "
                + "(select count(*) from outbox where processed_at is null) as unprocessed");
    }

    String url() {
        return settings.url();
    }

    /** Closes an in-memory database for good (its data goes with it); a file database is only closed. */
    @Override
    public void close() {
        jdbc.execute("shutdown");
    }
}
