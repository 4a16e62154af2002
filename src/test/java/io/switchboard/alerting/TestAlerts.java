package io.switchboard.alerting;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.storage.Databases;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Real {@link Alerts} for tests without a Spring context: a fresh in-memory database, delivery on the calling thread. */
public final class TestAlerts {

    private TestAlerts() {
    }

    public static Alerts create(List<? extends AlertSink> sinks, Clock clock) {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(Databases.H2_URL.formatted("alerts-" + UUID.randomUUID()),
                "sa", "");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        AlertingProperties properties = new AlertingProperties(null, null, null, null, null, null);
        AlertDelivery delivery = new AlertDelivery(List.copyOf(sinks), new IntegrationsProperties(Map.of()), properties,
                Runnable::run);
        return new Alerts(new JdbcTemplate(dataSource), new DataSourceTransactionManager(dataSource), delivery,
                properties, clock);
    }
}
