package io.switchboard.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** Test databases: in-memory H2, and throw-away schemas or databases on the local PostgreSQL and MariaDB servers. */
public final class Databases {

    public static final String H2_URL =
            "jdbc:h2:mem:%s;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";

    /** The PostgreSQL server every development and CI machine runs; override with -Dswitchboard.test.postgres-url. */
    public static final String POSTGRES_URL =
            System.getProperty("switchboard.test.postgres-url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("switchboard.test.postgres-user", "postgres");

    /** The MariaDB server of the machine (a database name goes after the slash); -Dswitchboard.test.mariadb-url. */
    public static final String MARIADB_URL =
            System.getProperty("switchboard.test.mariadb-url", "jdbc:mariadb://127.0.0.1:3306/");
    public static final String MARIADB_USER = System.getProperty("switchboard.test.mariadb-user", "root");

    private Databases() {
    }

    /** Creates an empty schema on PostgreSQL and returns its name; fails (never skips) when the server is down. */
    public static String newPostgresSchema(String prefix) throws SQLException {
        String schema = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("create schema " + schema);
        }
        return schema;
    }

    public static String postgresUrl(String schema) {
        return POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * Creates an empty database of its own on the PostgreSQL server (named {@code <prefix>_<random>})
     * for tests that start whole servers on it: nothing they seed can meet another test's rows.
     */
    public static String newPostgresDatabase(String prefix) throws SQLException {
        String database = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("create database " + database);
        }
        return database;
    }

    /** The JDBC URL of a database on the same server as {@link #POSTGRES_URL}. */
    public static String postgresDatabaseUrl(String database) {
        int query = POSTGRES_URL.indexOf('?');
        String base = query < 0 ? POSTGRES_URL : POSTGRES_URL.substring(0, query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + (query < 0 ? "" : POSTGRES_URL.substring(query));
    }

    /** Drops a database made by {@link #newPostgresDatabase}, closing whatever connections a killed node left open. */
    public static void dropPostgresDatabase(String database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + database + " with (force)");
        }
    }

    public static void dropPostgresSchema(String schema) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + schema + " cascade");
        }
    }

    /** Creates an empty database of its own on the MariaDB server ({@code <prefix>_<random>}); fails when it is down. */
    public static String newMariaDbDatabase(String prefix) throws SQLException {
        String database = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection connection = DriverManager.getConnection(MARIADB_URL, MARIADB_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("create database " + database);
        }
        return database;
    }

    public static String mariaDbDatabaseUrl(String database) {
        return MARIADB_URL + database;
    }

    public static void dropMariaDbDatabase(String database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(MARIADB_URL, MARIADB_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + database);
        }
    }
}
