package io.switchboard.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** Test databases: in-memory H2, and throw-away schemas on the local PostgreSQL server. */
public final class Databases {

    public static final String H2_URL =
            "jdbc:h2:mem:%s;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";

    /** The PostgreSQL server every development and CI machine runs; override with -Dswitchboard.test.postgres-url. */
    public static final String POSTGRES_URL =
            System.getProperty("switchboard.test.postgres-url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("switchboard.test.postgres-user", "postgres");

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

    public static void dropPostgresSchema(String schema) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + schema + " cascade");
        }
    }
}
