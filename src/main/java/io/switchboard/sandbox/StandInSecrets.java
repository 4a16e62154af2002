package io.switchboard.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The stand-ins' credentials and ports, settled before anything binds them, the way
 * {@code integration.DevWebhookSecrets} settles a demo webhook's secret: a stand-in that is on
 * and whose connection's password variable ({@code SHOP_BROKER_PASSWORD}, {@code SHOP_MAILBOX_PASSWORD},
 * {@code SHOP_DB_PASSWORD}) is not set gets a random one for this run, in memory only, and the
 * stand-in accepts exactly that password; nothing secret is committed or printed. A port of
 * {@code 0} becomes a free port, so the connections' URLs name the real one. Never in the
 * {@code postgres} or {@code cluster} profile, where the stand-ins do not run either.
 */
public class StandInSecrets implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "generated sandbox stand-in credentials (demo profile only)";
    private static final String PREFIX = "switchboard.sandbox.stand-ins.";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Each stand-in: its name under {@link #PREFIX}, its connection's password variable, its port settings. */
    private record StandIn(String name, String passwordVariable, List<String> ports) {
    }

    private static final List<StandIn> STAND_INS = List.of(
            new StandIn("broker", "SHOP_BROKER_PASSWORD", List.of("port")),
            new StandIn("mail-server", "SHOP_MAILBOX_PASSWORD", List.of("smtp-port", "imap-port")),
            new StandIn("shop-db", "SHOP_DB_PASSWORD", List.of()));

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!allowed(environment) || !environment.getProperty("switchboard.sandbox.enabled", Boolean.class, false)) {
            return;
        }
        Map<String, Object> settled = new LinkedHashMap<>();
        for (StandIn standIn : STAND_INS) {
            String at = PREFIX + standIn.name() + ".";
            if (!environment.getProperty(at + "enabled", Boolean.class, false)) {
                continue;
            }
            if (environment.getProperty(at + "password", "").isBlank()) {
                String password = environment.getProperty(standIn.passwordVariable(), "");
                if (password.isBlank()) {
                    password = generate();
                    settled.put(standIn.passwordVariable(), password);
                }
                settled.put(at + "password", password);
            }
            for (String port : standIn.ports()) {
                if (environment.getProperty(at + port, Integer.class, -1) == 0) {
                    settled.put(at + port, freePort());
                }
            }
        }
        if (!settled.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, settled));
        }
    }

    /** After the config files and the card files: the stand-ins' switches are set by then. */
    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 3;
    }

    /** False in the {@code postgres} and {@code cluster} profiles: the stand-ins are for a demo machine only. */
    static boolean allowed(ConfigurableEnvironment environment) {
        List<String> active = Arrays.asList(environment.getActiveProfiles());
        return !active.contains("postgres") && !active.contains("cluster");
    }

    static String generate() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port for a sandbox stand-in", e);
        }
    }
}
