package io.switchboard.outbox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.connect.ConnectionsProperties.Connection;
import jakarta.persistence.EntityManagerFactory;
import org.apache.camel.component.jpa.TransactionStrategy;
import org.hibernate.cfg.AvailableSettings;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.orm.jpa.persistenceunit.PersistenceManagedTypes;
import org.springframework.orm.jpa.vendor.HibernateJpaVendorAdapter;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The business databases the outbox trigger reads: per {@code jdbc} connection a small pool of
 * its own, per outbox table a JPA entity manager factory (Hibernate) and transaction manager on
 * that pool. Built by hand, never as beans: Spring Boot's JPA auto-configuration stays off (the
 * platform database has no entities), and nothing here can be mistaken for the platform's.
 * Hibernate builds a factory only at its first use ({@link BuildOnFirstUse}).
 */
final class OutboxDatabases implements AutoCloseable {

    /**
     * What reads one outbox table: its entity manager factory, Camel JPA's transactions on it, and
     * the connection's pool (for {@link OutboxTableWatch}).
     */
    record Table(EntityManagerFactory entityManagerFactory, TransactionTemplate transactions, DataSource database)
            implements TransactionStrategy {

        @Override
        public void executeInTransaction(Runnable work) {
            transactions.executeWithoutResult(status -> work.run());
        }
    }

    private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();
    private final Map<String, LocalContainerEntityManagerFactoryBean> factories = new LinkedHashMap<>();
    private final Map<String, BuildOnFirstUse> builds = new LinkedHashMap<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();

    /**
     * The factory for one table of one connection: its proxy at the first call, Hibernate's factory
     * behind it at the proxy's first use.
     *
     * @param poolSize connections the connection's pool may open (one per route polling it, plus one)
     */
    synchronized Table table(String name, Connection connection, String table, int poolSize) {
        return tables.computeIfAbsent(name + "/" + table, key -> {
            DataSource pool = pools.computeIfAbsent(name, n -> pool(n, connection, poolSize));
            BuildOnFirstUse build = new BuildOnFirstUse();
            LocalContainerEntityManagerFactoryBean factory = factory(name + "-" + table, pool, connection.url(), table,
                    build);
            factories.put(key, factory);
            builds.put(key, build);
            EntityManagerFactory entityManagerFactory = factory.getObject();
            JpaTransactionManager transactions = new JpaTransactionManager(entityManagerFactory);
            // No transaction synchronization on the polling thread: the inbox's own JDBC work on the
            // platform database, done inside this transaction, must not bind its connection to it.
            transactions.setTransactionSynchronization(AbstractPlatformTransactionManager.SYNCHRONIZATION_NEVER);
            transactions.afterPropertiesSet();
            return new Table(entityManagerFactory, new TransactionTemplate(transactions), pool);
        });
    }

    private static HikariDataSource pool(String name, Connection connection, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("outbox-" + name);
        config.setJdbcUrl(connection.url());
        config.setUsername(connection.username());
        config.setPassword(connection.password());
        config.setMaximumPoolSize(Math.max(2, Math.min(poolSize, connection.maxConcurrent())));
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Math.max(250, connection.connectTimeout().toMillis()));
        // A business database that is down when the server starts is polled until it is back,
        // rather than stopping the server.
        config.setInitializationFailTimeout(-1);
        if (connection.url().startsWith("jdbc:postgresql:")) {
            // The row id is a String in the mapping and may be a uuid column: let the server cast it.
            config.addDataSourceProperty("stringtype", "unspecified");
        }
        return new HikariDataSource(config);
    }

    private static LocalContainerEntityManagerFactoryBean factory(String unit, DataSource pool, String url,
            String table, BuildOnFirstUse build) {
        LocalContainerEntityManagerFactoryBean factory = new LocalContainerEntityManagerFactoryBean();
        factory.setBootstrapExecutor(build);
        factory.setPersistenceUnitName("outbox-" + unit);
        factory.setDataSource(pool);
        factory.setManagedTypes(PersistenceManagedTypes.of(OutboxEvent.class.getName()));
        factory.setJpaVendorAdapter(new HibernateJpaVendorAdapter());
        Map<String, Object> settings = new LinkedHashMap<>();
        // The application owns the table: never created, changed or validated from here.
        settings.put(AvailableSettings.HBM2DDL_AUTO, "none");
        settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, new OutboxTableName(table));
        String dialect = dialect(url);
        if (dialect != null) {
            // Known without asking the database, so a database down at start does not stop the start.
            settings.put(AvailableSettings.DIALECT, dialect);
        }
        factory.setJpaPropertyMap(settings);
        factory.afterPropertiesSet();
        return factory;
    }

    /** Hibernate's dialect for the databases the outbox is documented for; null: Hibernate asks the database. */
    static String dialect(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return "org.hibernate.dialect.PostgreSQLDialect";
        }
        if (lower.startsWith("jdbc:mariadb:")) {
            return "org.hibernate.dialect.MariaDBDialect";
        }
        if (lower.startsWith("jdbc:h2:")) {
            return "org.hibernate.dialect.H2Dialect";
        }
        return null;
    }

    /** Whether Hibernate's factory for this table exists (it was used). */
    synchronized boolean built(String name, String table) {
        BuildOnFirstUse build = builds.get(name + "/" + table);
        return build != null && build.used();
    }

    @Override
    public synchronized void close() {
        // Closing a factory never used would build it first, only to close it.
        factories.forEach((key, factory) -> {
            if (builds.get(key).used()) {
                factory.destroy();
            }
        });
        factories.clear();
        builds.clear();
        tables.clear();
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
