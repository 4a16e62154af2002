package io.switchboard.sandbox;

import java.io.IOException;
import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The sandbox's stand-ins for systems that speak their own protocols, each on its own switch
 * ({@code switchboard.sandbox.stand-ins.<name>.enabled}, all on in the demo profile): an AMQP
 * broker, a mail server, the shop's database and drop folders. Each starts with the server
 * (before the platform's consumers connect to it), says once in the log where it listens, and
 * stops with the server. Never in the {@code postgres} or {@code cluster} profile.
 */
@SandboxEnabled
@Profile("!postgres & !cluster")
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StandInProperties.class)
class SandboxStandIns {

    private static final Logger log = LoggerFactory.getLogger(SandboxStandIns.class);

    /** Starts on its own thread while the server builds the rest; see {@link SandboxBroker#start()}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "switchboard.sandbox.stand-ins.broker", name = "enabled", havingValue = "true")
    SandboxBroker sandboxBroker(StandInProperties properties, ObjectMapper json) throws IOException {
        StandInProperties.Broker settings = properties.broker();
        long started = System.nanoTime();
        SandboxBroker broker = SandboxBroker.start(settings, json);
        broker.whenStarted().whenComplete((ok, failed) -> {
            if (failed == null) {
                log.info("Sandbox message broker (AMQP 0-9-1, Qpid Broker-J) listening at {} (user {}, queues {}; "
                        + "connection shop-broker), started in {} ms", broker.url(), settings.username(),
                        broker.queues(), millisSince(started));
            } else {
                // Its configuration names the password only as a variable, so the cause may be shown.
                log.error("Sandbox message broker did not start on 127.0.0.1:{} ({}); order-intake waits for it. Free "
                        + "the port or set switchboard.sandbox.stand-ins.broker.port", settings.port(),
                        failed.toString());
            }
        });
        return broker;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "switchboard.sandbox.stand-ins.mail-server", name = "enabled", havingValue = "true")
    SandboxMailServer sandboxMailServer(StandInProperties properties) {
        long started = System.nanoTime();
        SandboxMailServer server = SandboxMailServer.start(properties.mailServer());
        log.info("Sandbox mail server (GreenMail) listening at {} and {} (mailbox {}, user {}; connections "
                + "shop-mailbox and shop-smtp), started in {} ms", server.smtpUrl(), server.imapUrl(), server.address(),
                properties.mailServer().username(), millisSince(started));
        return server;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "switchboard.sandbox.stand-ins.shop-db", name = "enabled", havingValue = "true")
    SandboxShopDatabase sandboxShopDatabase(StandInProperties properties, Clock clock) {
        long started = System.nanoTime();
        SandboxShopDatabase database = SandboxShopDatabase.start(properties.shopDb(), clock);
        log.info("Sandbox shop database at {} (user {}, tables orders and outbox; connection shop-db), started in "
                + "{} ms", database.url(), properties.shopDb().username(), millisSince(started));
        return database;
    }

    @Bean
    @ConditionalOnProperty(prefix = "switchboard.sandbox.stand-ins.drop", name = "enabled", havingValue = "true")
    SandboxDropFolder sandboxDropFolder(StandInProperties properties) throws IOException {
        SandboxDropFolder drop = new SandboxDropFolder(properties.drop().directory()).create(properties.drop().folders());
        log.info("Sandbox drop folders under {} ({}); connection shop-drop", drop.root(), properties.drop().folders());
        return drop;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
