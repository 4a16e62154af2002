package io.switchboard.integration;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.stereotype.Component;

/**
 * Dev without secrets: in the {@code dev} and demo ({@code default}) profiles, a webhook
 * integration whose secret is empty gets a random one ({@code whsec_} + 24 random bytes in
 * base64), which {@code ingress.DevSecretsNotice} prints once in the log with a ready
 * {@code curl} line that signs a test delivery.
 * The secret lives in memory for the run only: nothing is written to disk, and a restart
 * prints a new one. A {@code postgres} or {@code cluster} profile, or any profile set
 * without {@code dev}, generates nothing, and a webhook without a secret stops the start.
 */
@Component
public class DevWebhookSecrets {

    static final String SOURCE = "generated webhook secrets (dev and demo profiles only)";
    private static final String PREFIX = CardFiles.PREFIX;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConfigurableEnvironment environment;

    public DevWebhookSecrets(ConfigurableEnvironment environment) {
        this.environment = environment;
    }

    /** True in the dev and demo profiles, the only ones that may run a webhook without a configured secret. */
    static boolean allowed(ConfigurableEnvironment environment) {
        List<String> active = Arrays.asList(environment.getActiveProfiles());
        if (active.contains("postgres") || active.contains("cluster")) {
            return false;
        }
        return active.isEmpty() || active.contains("dev") || active.contains("default");
    }

    /** At start, before anything binds the cards: after the card files, which name most webhook integrations. */
    static class AtStart implements EnvironmentPostProcessor, Ordered {

        @Override
        public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
            fillIn(environment);
        }

        @Override
        public int getOrder() {
            return ConfigDataEnvironmentPostProcessor.ORDER + 2;
        }
    }

    /**
     * Gives every webhook integration without a secret a generated one, keeping the ones
     * generated before; drops those whose integration now has a secret of its own.
     */
    public static void fillIn(ConfigurableEnvironment environment) {
        if (!allowed(environment)) {
            return;
        }
        PropertySource<?> previous = environment.getPropertySources().remove(SOURCE);
        Map<String, Object> kept = previous instanceof MapPropertySource map ? map.getSource() : Map.of();
        Map<String, Object> secrets = new LinkedHashMap<>();
        for (String id : webhookIntegrations(environment)) {
            String key = PREFIX + id + ".webhook.secret";
            if (environment.getProperty(key, "").isBlank()) {
                secrets.put(key, kept.containsKey(key) ? kept.get(key) : generate());
            }
        }
        if (!secrets.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, secrets));
        }
    }

    private static Set<String> webhookIntegrations(ConfigurableEnvironment environment) {
        Set<String> ids = new TreeSet<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> names)) {
                continue;
            }
            for (String name : names.getPropertyNames()) {
                if (!name.startsWith(PREFIX) || !name.endsWith(".trigger")) {
                    continue;
                }
                String id = name.substring(PREFIX.length(), name.length() - ".trigger".length());
                if (!id.contains(".") && "webhook".equalsIgnoreCase(environment.getProperty(name, ""))) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    static String generate() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** The integrations that run on a generated secret. */
    public List<String> integrations() {
        PropertySource<?> source = environment.getPropertySources().get(SOURCE);
        if (!(source instanceof MapPropertySource map)) {
            return List.of();
        }
        return map.getSource().keySet().stream()
                .map(key -> key.substring(PREFIX.length(), key.length() - ".webhook.secret".length())).toList();
    }

    /** The generated secret of an integration, if it has one. */
    public Optional<String> secretOf(String id) {
        PropertySource<?> source = environment == null ? null : environment.getPropertySources().get(SOURCE);
        Object secret = source == null ? null : source.getProperty(PREFIX + id + ".webhook.secret");
        return Optional.ofNullable(secret).map(Object::toString);
    }
}
