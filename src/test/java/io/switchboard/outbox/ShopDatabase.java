package io.switchboard.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.switchboard.storage.Databases;

/**
 * A shop database of its own on the machine's PostgreSQL or MariaDB server, with the outbox table
 * of writing-integrations.md; the application's side of the outbox (insert a row, see whether it
 * was taken). Dropped by {@link #close()}.
 */
final class ShopDatabase implements AutoCloseable {

    /** The PostgreSQL DDL of src/docs/writing-integrations.md. */
    static final String POSTGRES_OUTBOX = """
            create table outbox (
              id            uuid primary key,
              aggregatetype varchar(255) not null,
              aggregateid   varchar(255) not null,
              type          varchar(255) not null,
              payload       jsonb not null,
              created_at    timestamptz not null default now(),
              processed_at  timestamptz
            )""";
    static final String POSTGRES_INDEX = "create index outbox_pending on outbox (created_at) where processed_at is null";

    /** The MariaDB DDL of src/docs/writing-integrations.md. */
    static final String MARIADB_OUTBOX = """
            create table outbox (
              id            char(36) primary key,
              aggregatetype varchar(255) not null,
              aggregateid   varchar(255) not null,
              type          varchar(255) not null,
              payload       json not null,
              created_at    datetime(6) not null default current_timestamp(6),
              processed_at  datetime(6) null,
              index outbox_pending (processed_at, created_at)
            )""";

    /** The H2 DDL of src/docs/writing-integrations.md (the demo's in-process shop database). */
    static final String H2_OUTBOX = """
            create table outbox (
              id            varchar(36) primary key,
              aggregatetype varchar(255) not null,
              aggregateid   varchar(255) not null,
              type          varchar(255) not null,
              payload       varchar(1000000) not null,
              created_at    timestamp(6) with time zone default current_timestamp not null,
              processed_at  timestamp(6) with time zone
            )""";

    static final String MARIADB_SERVER = System.getProperty("switchboard.test.mariadb-url",
            "jdbc:mariadb://127.0.0.1:3306/");
    static final String MARIADB_USER = System.getProperty("switchboard.test.mariadb-user", "root");

    private final boolean postgres;
    private final String name;
    final String url;
    final String user;

    private ShopDatabase(boolean postgres, String name, String url, String user) {
        this.postgres = postgres;
        this.name = name;
        this.url = url;
        this.user = user;
    }

    static ShopDatabase postgres() throws SQLException {
        String name = Databases.newPostgresDatabase("shop");
        ShopDatabase shop = new ShopDatabase(true, name, Databases.postgresDatabaseUrl(name), Databases.POSTGRES_USER);
        shop.execute(POSTGRES_OUTBOX, POSTGRES_INDEX);
        return shop;
    }

    /** An in-memory H2 database (no server to drop it from: it goes with its last connection's shutdown). */
    static ShopDatabase h2() throws SQLException {
        String name = "shop_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        ShopDatabase shop = new ShopDatabase(false, name, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa");
        shop.execute(H2_OUTBOX);
        return shop;
    }

    static ShopDatabase mariaDb() throws SQLException {
        String name = "shop_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection connection = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        }
        ShopDatabase shop = new ShopDatabase(false, name, MARIADB_SERVER + name, MARIADB_USER);
        shop.execute(MARIADB_OUTBOX);
        return shop;
    }

    /** What the application does in the transaction of its own change: one outbox row. */
    void insert(String id, String aggregateType, String aggregateId, String type, String payload) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement("insert into outbox (id, aggregatetype, "
                     + "aggregateid, type, payload) values (" + (postgres ? "cast(? as uuid)" : "?") + ", ?, ?, ?, "
                     + (postgres ? "cast(? as jsonb)" : "?") + ")")) {
            insert.setString(1, id);
            insert.setString(2, aggregateType);
            insert.setString(3, aggregateId);
            insert.setString(4, type);
            insert.setString(5, payload);
            insert.executeUpdate();
        }
    }

    boolean processed(String id) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement("select processed_at from outbox where id = "
                     + (postgres ? "cast(? as uuid)" : "?"))) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("no outbox row " + id);
                }
                return row.getObject(1) != null;
            }
        }
    }

    /** The ids of the rows not taken yet. */
    List<String> pending() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection connection = connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select id from outbox where processed_at is null")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    void delete(String id) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement delete = connection.prepareStatement("delete from outbox where id = "
                     + (postgres ? "cast(? as uuid)" : "?"))) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    void execute(String... statements) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    @Override
    public void close() throws SQLException {
        if (postgres) {
            Databases.dropPostgresDatabase(name);
        } else if (url.startsWith("jdbc:h2:")) {
            execute("shutdown");
        } else {
            try (Connection connection = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
                 Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + name);
            }
        }
    }
}
