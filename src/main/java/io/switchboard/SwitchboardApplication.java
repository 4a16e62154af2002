package io.switchboard;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.domain.EntityScan;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Switchboard: a self-hosted integration server that runs automations as Camel routes
 * loaded from the top-level {@code routes/} folder.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
// The only JPA entity is Camel's idempotency key (JpaMessageIdRepository); the rest is plain SQL.
@EntityScan(basePackages = "org.apache.camel.processor.idempotent.jpa")
public class SwitchboardApplication {

    public static void main(String[] args) {
        SpringApplication.run(SwitchboardApplication.class, args);
    }

    /** One clock for every timestamp the server writes, so tests can reason about time. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
