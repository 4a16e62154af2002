package io.switchboard.schedule;

import javax.sql.DataSource;

import io.switchboard.storage.Databases;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The watermark store on the embedded H2 database. */
class WatermarksTest extends WatermarksContract {

    private DataSource dataSource;

    @Override
    DataSource dataSource() {
        if (dataSource == null) {
            dataSource = new DriverManagerDataSource(Databases.H2_URL.formatted("watermarks-" + System.nanoTime()),
                    "sa", "");
            migrate(dataSource, "classpath:db/migration", "classpath:db/vendor/h2");
        }
        return dataSource;
    }
}
