package io.switchboard.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.SystemDouble;
import org.h2.Driver;
import org.h2.tools.Server;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * A jdbc connection's double: a scratch in-memory H2 database of the drill's own, in the
 * compatibility mode of the connection's database, made from the connection's
 * {@code test-double.init} script, and served over H2's TCP server (loopback, this one database
 * only, a random password) behind a {@link TcpFaultProxy}. The drill's calls open a connection
 * per call (no pool), so a cut proxy meets the next call at once.
 */
final class ScratchDatabase implements DrillDouble {

    /** Modes whose databases fold unquoted names to lower case, as these databases do. */
    private static final Set<String> LOWER_CASE_MODES = Set.of("PostgreSQL", "MySQL", "MariaDB");

    private final String connection;
    private final String mode;
    private final String init;
    private final Connection keeper;
    private final Server server;
    private final TcpFaultProxy proxy;
    private final SimpleDriverDataSource dataSource;
    private final String password;

    private ScratchDatabase(String connection, String mode, String init, Connection keeper,
            Server server, TcpFaultProxy proxy, SimpleDriverDataSource dataSource, String password) {
        this.connection = connection;
        this.mode = mode;
        this.init = init;
        this.keeper = keeper;
        this.server = server;
        this.proxy = proxy;
        this.dataSource = dataSource;
        this.password = password;
    }

    /** Why the connection has no scratch database, or null when it can have one. */
    static String missing(String connection, ConnectionsProperties.Connection settings) {
        if (settings.testDouble() == null || settings.testDouble().init() == null
                || settings.testDouble().init().isBlank()) {
            return "it names no test-double.init, the SQL script that makes the tables its routes use in a scratch "
                    + "database (switchboard.connections." + connection + ".test-double.init)";
        }
        String init = settings.testDouble().init();
        if (!init.startsWith("classpath:") && !Files.isRegularFile(Path.of(init))) {
            return "its test-double.init " + init + " is not a file (relative paths start at the working directory "
                    + Path.of("").toAbsolutePath() + ")";
        }
        return null;
    }

    static ScratchDatabase start(String connection, ConnectionsProperties.Connection settings, String marker) {
        String name = "drill_" + marker + "_" + connection.replaceAll("[^A-Za-z0-9]", "_").toLowerCase(Locale.ROOT);
        String mode = settings.testDouble().mode() != null && !settings.testDouble().mode().isBlank()
                ? settings.testDouble().mode() : modeOf(settings.url());
        String password = UUID.randomUUID().toString();
        String options = ";DB_CLOSE_DELAY=-1" + (mode == null ? "" : ";MODE=" + mode
                + (LOWER_CASE_MODES.contains(mode) ? ";DATABASE_TO_LOWER=TRUE" : ""));
        Connection keeper = null;
        Server server = null;
        TcpFaultProxy proxy = null;
        try {
            keeper = DriverManager.getConnection("jdbc:h2:mem:" + name + options, "drill", password);
            ScriptUtils.executeSqlScript(keeper, new ByteArrayResource(script(settings.testDouble().init())));
            // Only this database, and only on the loopback: no other in-memory database of the server is reachable.
            server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-key", name, "mem:" + name).start();
            proxy = new TcpFaultProxy("127.0.0.1", server.getPort());
            SimpleDriverDataSource dataSource = new SimpleDriverDataSource(new Driver(),
                    "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/" + name, "drill", password);
            return new ScratchDatabase(connection, mode, settings.testDouble().init(), keeper, server, proxy,
                    dataSource, password);
        } catch (SQLException | IOException | RuntimeException broken) {
            if (proxy != null) {
                proxy.close();
            }
            if (server != null) {
                server.stop();
            }
            closeQuietly(keeper);
            throw new IllegalStateException("the scratch database for connection " + connection + " could not be "
                    + "made from " + settings.testDouble().init() + ": " + broken.getMessage(), broken);
        }
    }

    /** H2's compatibility mode for the connection's database, from its JDBC URL; null: H2's own. */
    static String modeOf(String url) {
        String lower = url == null ? "" : url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            int at = lower.indexOf(";mode=");
            return at < 0 ? null : url.substring(at + 6).split(";", 2)[0];
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return "PostgreSQL";
        }
        if (lower.startsWith("jdbc:mariadb:")) {
            return "MariaDB";
        }
        if (lower.startsWith("jdbc:mysql:")) {
            return "MySQL";
        }
        if (lower.startsWith("jdbc:sqlserver:")) {
            return "MSSQLServer";
        }
        if (lower.startsWith("jdbc:oracle:")) {
            return "Oracle";
        }
        return lower.startsWith("jdbc:db2:") ? "DB2" : null;
    }

    private static byte[] script(String init) throws IOException {
        return init.startsWith("classpath:")
                ? new ClassPathResource(init.substring("classpath:".length())).getContentAsByteArray()
                : Files.readString(Path.of(init), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public SystemDouble clients() {
        return SystemDouble.database(dataSource);
    }

    @Override
    public boolean refusesCredentials() {
        return true;
    }

    /** The calls log in with a wrong password (H2 answers SQLSTATE 28000), or the right one again. */
    @Override
    public void refuseCredentials(boolean refuse) {
        dataSource.setPassword(refuse ? password + "-refused" : password);
    }

    @Override
    public TcpFaultProxy proxy() {
        return proxy;
    }

    @Override
    public String describe() {
        return "a scratch H2 database (" + (mode == null ? "H2" : mode) + " mode) made from " + init;
    }

    /** Rows of the database's tables with a value that names {@code instance}, by table. */
    @Override
    public Map<String, Integer> effects(String instance) {
        Map<String, Integer> effects = new TreeMap<>();
        try (Statement statement = keeper.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet found = statement.executeQuery("select table_schema, table_name from "
                    + "information_schema.tables where table_type = 'BASE TABLE' and lower(table_schema) not in "
                    + "('information_schema', 'pg_catalog')")) {
                while (found.next()) {
                    tables.add("\"" + found.getString(1) + "\".\"" + found.getString(2) + "\"");
                }
            }
            for (String table : tables) {
                try (ResultSet rows = statement.executeQuery("select * from " + table)) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        for (int column = 1; column <= columns; column++) {
                            Object value = rows.getObject(column);
                            if (value != null && String.valueOf(value).contains(instance)) {
                                effects.merge(connection + " row in " + table.substring(table.lastIndexOf('.') + 1)
                                        .replace("\"", ""), 1, Integer::sum);
                                break;
                            }
                        }
                    }
                }
            }
        } catch (SQLException unreadable) {
            throw new IllegalStateException("the scratch database of " + connection + " could not be read: "
                    + unreadable.getMessage(), unreadable);
        }
        return effects;
    }

    @Override
    public void close() {
        proxy.close();
        server.stop();
        try (Statement statement = keeper.createStatement()) {
            statement.execute("shutdown");
        } catch (SQLException gone) {
            // shut down with its last connection below anyway
        }
        closeQuietly(keeper);
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
