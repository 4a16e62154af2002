package io.switchboard.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Every server a test starts, whatever its profile (the shared {@code test} context, a
 * {@code SpringApplicationBuilder} restart, the cluster and ingest tests' server processes on
 * the test classpath), gives each webhook integration whose secret is not set (its
 * {@code ${..._WEBHOOK_SECRET}} placeholder is empty) a known test secret, so adding an
 * integration never stops another test's server from starting. Registered for the test
 * classpath only (src/test/resources/META-INF/spring.factories); a test that wants the
 * production refusal of an empty secret sets {@code switchboard.test.secrets=off}. A test signs
 * with {@link #forIntegration(String, String)}: the same secret, derived from the integration's id.
 */
public class TestSecrets implements EnvironmentPostProcessor, Ordered {

    private static final String PREFIX = "switchboard.integrations.";

    /** {@code off} leaves empty secrets empty (the server then refuses to start, as in production). */
    public static final String SWITCH = "switchboard.test.secrets";

    /** The test secret of an integration: a Standard Webhooks {@code whsec_} key for that scheme, plain text otherwise. */
    public static String forIntegration(String integration, String auth) {
        String plain = "test-secret-" + integration;
        return auth == null || auth.equals("standard-webhooks")
                ? "whsec_" + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8))
                : plain;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if ("off".equalsIgnoreCase(environment.getProperty(SWITCH, "on"))) {
            return;
        }
        Map<String, Object> secrets = new LinkedHashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> names)) {
                continue;
            }
            for (String name : names.getPropertyNames()) {
                if (!name.startsWith(PREFIX) || !name.endsWith(".trigger")) {
                    continue;
                }
                String id = name.substring(PREFIX.length(), name.length() - ".trigger".length());
                if (id.contains(".") || !"webhook".equalsIgnoreCase(environment.getProperty(name, ""))) {
                    continue;
                }
                String secret = environment.getProperty(PREFIX + id + ".webhook.secret", "");
                if (secret.isBlank()) {
                    String auth = environment.getProperty(PREFIX + id + ".webhook.auth", "standard-webhooks")
                            .toLowerCase(Locale.ROOT);
                    secrets.put(PREFIX + id + ".webhook.secret", forIntegration(id, auth));
                }
            }
        }
        if (!secrets.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource("switchboard-test-webhook-secrets", secrets));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
