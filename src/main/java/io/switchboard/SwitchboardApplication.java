package io.switchboard;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Switchboard: a self-hosted integration server that runs automations as Camel routes
 * loaded from the top-level {@code routes/} folder.
 */
// Brokers are connections (switchboard.connections.<name>, kind amqp), not one spring.rabbitmq server;
// JPA only reads outbox tables of business databases (io.switchboard.outbox), never the platform one.
@SpringBootApplication(exclude = {RabbitAutoConfiguration.class, HibernateJpaAutoConfiguration.class})
@ConfigurationPropertiesScan
@EnableScheduling
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
